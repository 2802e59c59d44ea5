/**
 * The Auth.js demo: `pnpm demo:authjs`. An Express app serving one page, Auth.js's routes under
 * /auth, the SimpleWebAuthn browser bundle and, outside production, the dev mailbox.
 * DATABASE_URL picks the database (SQLite file data/demo.sqlite when unset); PORT the port.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ExpressAuth } from '@auth/express';
import express from 'express';
import { createApp } from './auth.ts';
import { renderMailbox } from './mailbox.ts';

const port = Number(process.env.PORT ?? 3001);
const baseURL = process.env.AUTH_URL ?? process.env.BASE_URL ?? `http://localhost:${port}`;
const devMailbox = process.env.NODE_ENV !== 'production';
const { orm, authConfig, mailbox } = await createApp({ databaseUrl: process.env.DATABASE_URL });

const page = new URL('../public/index.html', import.meta.url);
const webAuthnBrowser = await readFile(
  fileURLToPath(import.meta.resolve('@simplewebauthn/browser/dist/bundle/index.umd.min.js')),
);

const app = express();
app.disable('x-powered-by');

// Auth.js: /auth/csrf, /auth/session, /auth/signin/email, /auth/callback/{email,passkey},
// /auth/webauthn-options/passkey, /auth/signout, …
app.use('/auth', ExpressAuth(authConfig));

// @simplewebauthn/browser's UMD bundle: defines window.SimpleWebAuthnBrowser for the page.
app.get('/vendor/simplewebauthn-browser.js', (_request, response) => {
  response.type('text/javascript').send(webAuthnBrowser);
});

// The dev mailbox: the page without a query, the latest link of one address as JSON with ?email=.
app.get('/dev/mailbox', (request, response) => {
  if (!devMailbox) {
    response.status(404).type('text/plain').send('Not found');
    return;
  }
  const { email } = request.query;
  if (typeof email !== 'string') {
    response.type('html').send(renderMailbox(mailbox.all()));
    return;
  }
  const letter = mailbox.latest(email);
  if (!letter) {
    response.status(404).json({ error: `No sign-in link for ${email} yet.` });
    return;
  }
  response.json(letter);
});

app.get(['/', '/index.html'], async (_request, response) => {
  response.type('html').send(await readFile(page));
});

app.use((_request, response) => {
  response.status(404).type('text/plain').send('Not found');
});

const server = app.listen(port, (error?: Error) => {
  if (error) throw error;
  const { hostname } = new URL(baseURL);
  const ip = /^[\d.]+$|^\[/.test(hostname);
  console.log(
    `Auth.js demo on MikroORM (${orm.em.getPlatform().constructor.name.replace(/Platform$/, '')}) listening at ${baseURL}` +
      (ip ? ` (passkeys need a host name: open http://localhost:${port})` : ''),
  );
  if (devMailbox)
    console.log(`Sign-in links are not mailed: see the log or ${baseURL}/dev/mailbox`);
});

async function stop(): Promise<void> {
  server.close();
  server.closeAllConnections();
  await orm.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
