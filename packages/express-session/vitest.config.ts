import { defineConfig } from 'vitest/config';

// Type tests of the public API (`*.test-d.ts`): a breaking change to an exported type fails
// `pnpm test`. Behaviour is tested against real databases in packages/test-suite.
export default defineConfig({
  test: {
    typecheck: { enabled: true, only: true, include: ['src/**/*.test-d.ts'] },
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
