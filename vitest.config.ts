import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/*
 * Five projects (tiers). Each one that needs a store runs its own global setup, so it gets its
 * own database and Redis prefix:
 *   unit         pure logic and the domain against in-memory fakes (no store)
 *   redis        the Lua hold store against real Redis (no database)
 *   integration  real servers on real Postgres and Redis (server/test, server/db)
 *   browser      Chromium driving the built client against a real server (client/test)
 *   bench        the load-test runner's correctness checks (it makes its own database)
 * `npm run test:fast` is unit + redis; `npm test` runs every project. The heavy tiers run after
 * the others (sequence.groupOrder), so Chromium and the bench's cluster never compete with the
 * integration servers for the CPU; inside a group, files run in parallel.
 */
export default defineConfig({
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration files spend much of their time waiting on servers, Postgres and Redis: three at
    // a time shortens the suite on a 2-core machine (Vitest's default there is one).
    // VITEST_MAX_WORKERS overrides it (e.g. 1 to rule out interference while chasing a flake).
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'server/**/*.test.ts'],
          exclude: ['server/test/**', 'server/redis/**', 'server/db/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'redis', include: ['server/redis/**/*.test.ts'], globalSetup: ['server/test/global-setup-redis.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['server/test/**/*.test.ts', 'server/db/**/*.test.ts'], globalSetup: ['server/test/global-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['client/**/*.test.ts'],
          globalSetup: ['server/test/global-setup.ts', 'client/test/global-setup.ts'],
          sequence: { groupOrder: 1 },
          // Chromium is CPU-bound: one browser file at a time, so none of them starves the others.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: { name: 'bench', include: ['load-tests/**/*.test.ts'], sequence: { groupOrder: 2 }, fileParallelism: false },
      },
    ],
  },
});
