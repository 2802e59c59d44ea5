import type { BetterAuthOptions } from 'better-auth';

/**
 * The Better Auth configuration without its database. The MikroORM entities are generated from
 * it (`betterAuthEntities(authConfig)`), so the tables always match what Better Auth expects.
 */
export const authConfig = {
  emailAndPassword: { enabled: true, minPasswordLength: 8 },
  telemetry: { enabled: false },
} satisfies BetterAuthOptions;
