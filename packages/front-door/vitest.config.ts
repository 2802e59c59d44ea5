import { defineConfig } from 'vitest/config';

// The commands start whole apps and builds: one file at a time, one test at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    fileParallelism: false,
    silent: 'passed-only',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
