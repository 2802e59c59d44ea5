import type { NextConfig } from 'next';

// No `serverExternalPackages`: Next.js keeps `@mikro-orm/core`, `better-sqlite3` and `pg` out of the
// server bundle by default (its built-in list), and the rest of MikroORM bundles fine.
const nextConfig: NextConfig = {};

export default nextConfig;
