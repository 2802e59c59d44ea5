/**
 * The Passport demo: `pnpm demo:passport`. DATABASE_URL picks the database (SQLite file
 * data/demo.sqlite when unset); PORT the port; SESSION_SECRET signs the session cookie.
 */
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3004);
const baseURL = process.env.BASE_URL ?? `http://localhost:${port}`;
let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = 'demo-session-secret-change-me-demo-session-secret';
  console.warn(
    'SESSION_SECRET is not set: using a demo secret (set a real one anywhere but your machine).',
  );
}
const { orm, app, store } = await createApp({ databaseUrl: process.env.DATABASE_URL, secret });

const server = app.listen(port, (error?: Error) => {
  if (error) throw error;
  const database = orm.em.getPlatform().constructor.name.replace(/Platform$/, '');
  console.log(`Passport demo on MikroORM (${database}) listening at ${baseURL}`);
  console.log('Sign in as ada / analytical-engine');
});

async function stop(): Promise<void> {
  server.close();
  server.closeAllConnections();
  store.close();
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
