import { defineConfig } from 'vitest/config';

// The commands start whole apps and builds: one file at a time, one test at a time. The timeouts
// cover that work; nothing a test waits for downloads (see packed-install.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    fileParallelism: false,
    // Packs and npm-installs the packages once, outside every test timeout (packed-install.ts).
    globalSetup: ['./src/packed-setup.ts'],
    silent: 'passed-only',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
