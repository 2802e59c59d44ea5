/** Better Auth's routes under /api/auth, on the Node.js runtime (MikroORM needs it). */
import { toNextJsHandler } from 'better-auth/next-js';
import { auth } from '@/lib/auth';
import { ensureSchema } from '@/lib/db';

const handlers = toNextJsHandler(auth);

export async function GET(request: Request): Promise<Response> {
  await ensureSchema();
  return handlers.GET(request);
}

export async function POST(request: Request): Promise<Response> {
  await ensureSchema();
  return handlers.POST(request);
}
