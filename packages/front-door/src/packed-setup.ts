/**
 * Global setup of the front door's tests: packs and installs the packages once (packed-install.ts)
 * before any test starts, outside every test timeout, and gives packed.test.ts the directory; the
 * same for the NextAuth.js v4 and v5 apps of nextauth.test.ts. They are removed after the last test.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { installNextAuth, installPacked, type NextAuthMajor } from './packed-install.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The empty npm project holding the packed packages (packed-install.ts). */
    packedApp: string;
    /** The NextAuth.js v4 and v5 apps holding the packed Auth.js adapter (packed-install.ts). */
    nextAuthApps: Record<NextAuthMajor, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const started = Date.now();
  const app = await installPacked(2);
  const nextAuthApps = { v4: await installNextAuth('v4', 2), v5: await installNextAuth('v5', 2) };
  console.log(
    `[front-door] packed and installed with npm in ${Math.round((Date.now() - started) / 1000)} s: ${app}, ${nextAuthApps.v4}, ${nextAuthApps.v5}`,
  );
  project.provide('packedApp', app);
  project.provide('nextAuthApps', nextAuthApps);
  return () => {
    for (const directory of [app, nextAuthApps.v4, nextAuthApps.v5]) {
      rmSync(directory, { recursive: true, force: true });
    }
  };
}
