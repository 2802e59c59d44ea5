/** Placeholder until the Auth.js adapter lands (see the project's open issues). */
export const packageName = '@mikro-auth/authjs';
