/**
 * `pnpm --filter @mikro-auth/front-door prefetch`: does the npm install of the packed-packages test
 * once, into a throwaway directory, so that the npm cache holds every package it needs. `.ci/run`
 * runs it in its install step: downloads belong there, not in the test step.
 */
import { rmSync } from 'node:fs';
import { installPacked } from '../src/packed-install.ts';

const started = Date.now();
const app = await installPacked(3);
rmSync(app, { recursive: true, force: true });
console.log(
  `npm cache holds the packed-packages test's dependencies (${Math.round((Date.now() - started) / 1000)} s)`,
);
