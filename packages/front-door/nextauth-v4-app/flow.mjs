// A NextAuth.js v4 email sign-in, end to end through next-auth's own API route handler (the function
// `pages/api/auth/[...nextauth].ts` exports), called the way Next.js calls it: `req.query.nextauth`
// from the path, parsed cookies and body; `res` records status, headers and body. The adapter is
// the packed @mikro-auth/authjs on SQLite, installed with no @auth/core at runtime.
import { authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { MikroORM } from '@mikro-orm/core';
import { NodeSqliteDialect, SqliteDriver } from '@mikro-orm/sql';
import nextAuth from 'next-auth';

const NextAuth = nextAuth.default ?? nextAuth;

const orm = await MikroORM.init({
  driver: SqliteDriver,
  dbName: ':memory:',
  driverOptions: new NodeSqliteDialect(':memory:'),
  entities: authjsEntities({ webAuthn: false }), // v4 has no WebAuthn: no authenticator table
});
await orm.schema.create();

const sent = [];
const options = {
  adapter: MikroOrmAdapter(orm),
  secret: 'nextauth-v4-packed-secret-0123456789',
  session: { strategy: 'database' },
  providers: [
    {
      id: 'email',
      type: 'email',
      name: 'Email',
      server: {},
      from: 'auth@example.com',
      maxAge: 600,
      options: {},
      sendVerificationRequest: async ({ identifier, url }) => {
        sent.push({ identifier, url });
      },
    },
  ],
};

/** Cookies the "browser" holds, by name. */
const jar = {};

async function call(method, path, { query = {}, body } = {}) {
  const headers = {};
  const res = {
    statusCode: 200,
    body: undefined,
    getHeader: (name) => headers[name.toLowerCase()],
    setHeader(name, value) {
      headers[name.toLowerCase()] = value;
      return res;
    },
    status(code) {
      res.statusCode = code;
      return res;
    },
    send(value) {
      res.body = value;
    },
    json(value) {
      res.body = value;
    },
    end() {},
  };
  const req = {
    method,
    query: { ...query, nextauth: path.split('/') },
    cookies: { ...jar },
    headers: { host: 'localhost:3000', 'content-type': 'application/x-www-form-urlencoded' },
    body,
  };
  process.env.NEXTAUTH_URL = 'http://localhost:3000/api/auth';
  await NextAuth(req, res, options);
  for (const line of [headers['set-cookie'] ?? []].flat()) {
    const [pair, ...attributes] = line.split(';');
    const [name, ...value] = pair.split('=');
    const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
    if (expired || value.join('=') === '') delete jar[name.trim()];
    else jar[name.trim()] = decodeURIComponent(value.join('='));
  }
  return { status: res.statusCode, location: headers.location, body: res.body };
}

const { body: csrf } = await call('GET', 'csrf');
const signIn = await call('POST', 'signin/email', {
  body: { email: 'Ada@Example.com', csrfToken: csrf.csrfToken, callbackUrl: '/' },
});
const link = new URL(sent[0].url);
const callback = await call('GET', 'callback/email', {
  query: Object.fromEntries(link.searchParams),
});
const session = await call('GET', 'session');
const replay = await call('GET', 'callback/email', {
  query: Object.fromEntries(link.searchParams),
});
const { body: csrfAgain } = await call('GET', 'csrf');
const signOut = await call('POST', 'signout', { body: { csrfToken: csrfAgain.csrfToken } });
const after = await call('GET', 'session');
const em = orm.em.fork();
const rows = {
  users: (await em.getConnection().execute('select email from "user"')).map((r) => r.email),
  sessions: (await em.getConnection().execute('select count(*) as n from "session"'))[0].n,
  tokens: (await em.getConnection().execute('select count(*) as n from "verification_token"'))[0].n,
};
console.log(
  JSON.stringify({
    signIn: { status: signIn.status, sentTo: sent.map((s) => s.identifier) },
    callback: { status: callback.status, location: callback.location },
    session: { user: session.body?.user?.email ?? null, expires: typeof session.body?.expires },
    replay: { location: replay.location },
    signOut: { status: signOut.status },
    after: after.body,
    rows,
  }),
);
await orm.close();
