// auth.ts of a NextAuth.js v5 app, as packages/authjs/README.md shows it.
import { MikroOrmAdapter } from '@mikro-auth/authjs';
import NextAuth from 'next-auth';
import GitHub from 'next-auth/providers/github';
import { orm } from './lib/db';

export const { handlers, auth, signIn, signOut } = NextAuth({
  adapter: MikroOrmAdapter(orm),
  providers: [GitHub],
  session: { strategy: 'database' },
});
