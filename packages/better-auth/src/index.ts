/** Placeholder until the Better Auth adapter lands (see the project's open issues). */
export const packageName = '@mikro-auth/better-auth';
