/**
 * Global setup of the front door's tests: packs and installs the packages once (packed-install.ts)
 * before any test starts, outside every test timeout, and gives packed.test.ts the directory.
 * The directory is removed after the last test.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { installPacked } from './packed-install.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The empty npm project holding the packed packages (packed-install.ts). */
    packedApp: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const started = Date.now();
  const app = await installPacked(2);
  console.log(
    `[front-door] packed and installed with npm in ${Math.round((Date.now() - started) / 1000)} s: ${app}`,
  );
  project.provide('packedApp', app);
  return () => rmSync(app, { recursive: true, force: true });
}
