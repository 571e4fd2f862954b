import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // e2e files share one engine; keep them from racing each other on it.
    fileParallelism: true,
    pool: 'forks',
  },
});
