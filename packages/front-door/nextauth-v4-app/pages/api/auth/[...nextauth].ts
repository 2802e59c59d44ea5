// pages/api/auth/[...nextauth].ts of a NextAuth.js v4 app (packages/authjs/README.md).
import { MikroOrmAdapter } from '@mikro-auth/authjs';
import NextAuth, { type AuthOptions } from 'next-auth';
import GitHubProvider from 'next-auth/providers/github';
import { orm } from '../../../lib/db';

export const authOptions: AuthOptions = {
  adapter: MikroOrmAdapter(orm),
  providers: [
    GitHubProvider({
      clientId: process.env.GITHUB_ID ?? '',
      clientSecret: process.env.GITHUB_SECRET ?? '',
    }),
  ],
  session: { strategy: 'database' },
};

export default NextAuth(authOptions);
