/**
 * `pnpm --filter @mikro-auth/front-door prefetch`: does the npm installs of the packed-packages and
 * NextAuth.js tests once, into throwaway directories, so that the npm cache holds every package
 * they need. `.ci/run` runs it in its install step: downloads belong there, not in the test step.
 */
import { rmSync } from 'node:fs';
import { installNextAuth, installPacked } from '../src/packed-install.ts';

const started = Date.now();
for (const app of [
  await installPacked(3),
  await installNextAuth('v4', 3),
  await installNextAuth('v5', 3),
]) {
  rmSync(app, { recursive: true, force: true });
}
console.log(
  `npm cache holds the packed-packages and NextAuth.js tests' dependencies (${Math.round((Date.now() - started) / 1000)} s)`,
);
