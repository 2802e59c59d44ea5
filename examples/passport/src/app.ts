/**
 * The Passport demo app: passport-local sign-in against the app's own `User` entity, sessions in
 * express-session stored by `MikroOrmSessionStore` in the same database, a page for signed-in
 * users only, and sign-out.
 */
import { MikroOrmSessionStore, sessionStoreEntities } from '@mikro-auth/express-session';
import { type MikroORM, RequestContext } from '@mikro-orm/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { openDatabase } from './database.ts';
import { homePage, privatePage, signInPage } from './pages.ts';
import { seedDemoUser, User, verifyPassword } from './users.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

declare module 'express-session' {
  interface SessionData {
    /** How often the private page was opened in this session (shows the session surviving restarts). */
    visits?: number;
  }
}

declare global {
  namespace Express {
    interface User {
      id: number;
      username: string;
      displayName: string;
    }
  }
}

/** The request's EntityManager (the RequestContext middleware below opens one per request). */
function em() {
  const current = RequestContext.getEntityManager();
  if (!current) throw new Error('no RequestContext: the RequestContext middleware must come first');
  return current;
}

export async function createApp(options: {
  databaseUrl?: string | undefined;
  secret: string;
}): Promise<{ orm: MikroORM; app: ReturnType<typeof express>; store: MikroOrmSessionStore }> {
  const orm: MikroORM = await openDatabase(options.databaseUrl, [User, ...sessionStoreEntities()]);
  try {
    // A schema sync, not migrations: this demo switches between four databases with DATABASE_URL.
    // In your app, generate migrations (the session table is an entity like any other).
    await orm.schema.update();
    await seedDemoUser(orm.em.fork());
  } catch (error) {
    await orm.close();
    throw error;
  }
  const store = new MikroOrmSessionStore(orm);

  passport.use(
    new LocalStrategy((username, password, done) => {
      verifyPassword(em(), username, password).then(
        (user) => done(null, user ?? false),
        (error: unknown) => done(error),
      );
    }),
  );
  // The session keeps the user id only; each request loads the user in its own RequestContext.
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: number, done) => {
    em()
      .findOne(User, { id })
      .then(
        (user) => done(null, user ?? false),
        (error: unknown) => done(error),
      );
  });

  const app = express();
  app.disable('x-powered-by');
  app.use((_request, _response, next) => RequestContext.create(orm.em, next));
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      name: 'demo.sid',
      store,
      secret: options.secret,
      // The store implements touch: an unchanged session is not rewritten, only its expiry moved.
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: WEEK_MS },
    }),
  );
  app.use(passport.session());

  app.get('/', (request, response) => {
    response
      .type('html')
      .send(request.user ? homePage(request.user) : signInPage(request.query.error !== undefined));
  });

  app.post(
    '/login',
    passport.authenticate('local', { successRedirect: '/private', failureRedirect: '/?error' }),
  );

  app.get('/private', signedIn, (request, response) => {
    request.session.visits = (request.session.visits ?? 0) + 1;
    response.type('html').send(privatePage(request.user!, request.session.visits));
  });

  app.post('/logout', (request, response, next) => {
    request.logout((error) => (error ? next(error) : response.redirect('/')));
  });

  app.use((_request, response) => {
    response.status(404).type('text/plain').send('Not found');
  });

  return { orm, app, store };
}

function signedIn(request: Request, response: Response, next: NextFunction): void {
  if (request.isAuthenticated()) next();
  else response.redirect('/');
}
