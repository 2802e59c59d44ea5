/**
 * The Better Auth demo: `pnpm demo`. Serves one page and Better Auth's routes under /api/auth.
 * DATABASE_URL picks the database (SQLite file data/demo.sqlite when unset); PORT the port.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { toNodeHandler } from 'better-auth/node';
import { createApp } from './auth.ts';

const port = Number(process.env.PORT ?? 3000);
const baseURL = process.env.BASE_URL ?? `http://localhost:${port}`;
const { orm, auth } = await createApp({
  databaseUrl: process.env.DATABASE_URL,
  baseURL,
  trustedOrigins: [baseURL, `http://localhost:${port}`, `http://127.0.0.1:${port}`],
});
const handleAuth = toNodeHandler(auth);
const page = new URL('../public/index.html', import.meta.url);

const server = createServer(async (request, response) => {
  if (request.url?.startsWith('/api/auth')) return handleAuth(request, response);
  if (request.method === 'GET' && (request.url === '/' || request.url === '/index.html')) {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return response.end(await readFile(page));
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
});

server.listen(port, () => {
  console.log(
    `Better Auth demo on MikroORM (${orm.em.getPlatform().constructor.name.replace(/Platform$/, '')}) listening at ${baseURL}`,
  );
});

async function stop(): Promise<void> {
  server.close();
  server.closeAllConnections();
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
