/** Better Auth's browser client: talks to /api/auth on the page's own origin. */
import { createAuthClient } from 'better-auth/react';

export const authClient = createAuthClient();
