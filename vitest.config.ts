import { defineConfig } from 'vitest/config';

/**
 * The engines the end-to-end files run against. .ci/run starts one private dockerd per engine
 * version and names them all in SOCKGATE_E2E_ENGINES ("NAME=unix:///PATH,NAME=unix:///PATH");
 * a developer with one engine sets SOCKGATE_E2E_DOCKER_HOST alone. Each engine is a vitest
 * project named after it, so every e2e result line says which engine it came from
 * (`|docker-28.5.2| test/e2e/core.test.ts`). With no engine named the e2e files still run, and
 * fail: the suite never skips them.
 */
function engines(): { name: string; host: string }[] {
  const list = process.env['SOCKGATE_E2E_ENGINES'];
  if (list !== undefined && list.trim() !== '') {
    return list.split(',').map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new Error(`SOCKGATE_E2E_ENGINES: "${entry}" is not NAME=unix:///PATH`);
      return { name: entry.slice(0, eq).trim(), host: entry.slice(eq + 1).trim() };
    });
  }
  return [{ name: process.env['SOCKGATE_E2E_ENGINE'] ?? 'engine', host: process.env['SOCKGATE_E2E_DOCKER_HOST'] ?? '' }];
}

/** Files that need a real engine. */
const ENGINE_FILES = ['test/e2e/**/*.test.ts', 'test/regressions/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // e2e files of one engine share its state (images, swarm, containers by name): one file at a time.
    fileParallelism: false,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'core', include: ['test/**/*.test.ts'], exclude: ENGINE_FILES } },
      ...engines().map(({ name, host }) => ({
        extends: true as const,
        test: { name, include: ENGINE_FILES, env: { SOCKGATE_E2E_DOCKER_HOST: host, SOCKGATE_E2E_ENGINE: name } },
      })),
    ],
  },
});
