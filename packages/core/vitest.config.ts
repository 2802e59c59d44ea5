import { defineConfig } from 'vitest/config';

// Pure-logic unit tests only; everything that needs a database lives in packages/test-suite.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
