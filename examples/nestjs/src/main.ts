/**
 * `pnpm start` here, `pnpm demo:nestjs` at the repository root. PORT (3003) picks the port,
 * DATABASE_URL the database (SQLite file data/app.sqlite when unset).
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { toNodeHandler } from 'better-auth/node';
import { AppModule } from './app.module.js';
import { AUTH, type Auth } from './auth.provider.js';

const port = Number(process.env.PORT || 3003);
process.env.PORT = String(port);
if (!process.env.BETTER_AUTH_SECRET) {
  console.warn(
    '\n!!! BETTER_AUTH_SECRET is not set: using a PUBLIC DEMO SECRET. Anyone can forge sessions.\n' +
      '!!! Set BETTER_AUTH_SECRET (e.g. `openssl rand -base64 32`) anywhere but your own machine.\n',
  );
}

// bodyParser: false: Better Auth reads the raw request body itself, so no parser may run before
// its handler. JSON parsing is switched back on below, after the handler, for Nest's own routes.
const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false });
app.enableShutdownHooks();

// A schema sync, not migrations: this demo switches between four databases with DATABASE_URL.
// In your app, run MikroORM migrations when you deploy and drop this line.
await app.get(MikroORM).schema.update();

// Better Auth's routes on the underlying Express app, registered before any body parser and
// before Nest's routes (those are added by app.listen → app.init).
const auth = app.get<Auth>(AUTH);
app.getHttpAdapter().getInstance().all('/api/auth/*splat', toNodeHandler(auth));
app.useBodyParser('json');

await app.listen(port);
console.log(`NestJS demo (Better Auth on MikroORM) listening at http://localhost:${port}`);
