import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // e2e files share one engine, and the regression oracle reads its log: one file at a time.
    fileParallelism: false,
    pool: 'forks',
  },
});
