import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/*
 * Five projects (tiers). Each one that needs a store runs its own global setup, so it gets its
 * own database and Redis prefix:
 *   unit         pure logic and the domain against in-memory fakes (no store)
 *   redis        the Lua hold store against real Redis (no database)
 *   integration  real servers on real Postgres and Redis (server/test, server/db)
 *   browser      Chromium driving the built client against a real server (client/test)
 *   bench        the load-test runner's correctness checks (it makes its own database)
 * `npm run test:fast` is unit + redis. In one `vitest run` the heavy tiers run after the others
 * (sequence.groupOrder): browser files two at a time, the bench last. `npm test` runs the browser
 * project in a second Vitest process next to the rest (package.json: test:browser beside
 * test:tiers), so its Chromium files overlap the integration tier instead of waiting for it.
 * Inside a group, files
 * run in parallel, the longest first (LongestFirstSequencer below), so none of them starts last
 * and runs on alone.
 *
 * Workers are reused from file to file (isolate: false): every file would otherwise import the
 * server's dependencies afresh (MikroORM, Socket.IO, zod… about 2 s of CPU each), which was a
 * third of the suite's CPU time. Files still share nothing but loaded modules: each starts its
 * own servers on its own Redis prefix and closes them, and a file that fakes timers restores
 * them afterwards.
 */
/*
 * Vitest orders files by the durations it cached on the last run, or, with no cache (a clean
 * CI clone), by file size. Size says little here: a short file that restarts servers or spawns
 * processes can take a minute, and started last it runs on alone while the other workers sit
 * idle. These files start first in their project, in this order; the rest keep Vitest's order.
 * A name missing from this list only costs time, never a test.
 */
const LONGEST_FIRST = [
  'server/test/api-fuzz.test.ts',
  'server/test/engine-property.test.ts',
  'server/test/money-property.test.ts',
  'server/test/main-process.test.ts',
  'server/test/mail-crash.test.ts',
  'server/test/booking-race.test.ts',
  'server/test/confirm-crash.test.ts',
  'server/test/realtime-cluster.test.ts',
  'server/test/sessions.test.ts',
  'server/test/postgres-stall.test.ts',
  'server/domain/slot-generation.test.ts',
  'client/test/accessibility.test.ts',
  'client/test/live-booking.test.ts',
  'client/test/money-screens.test.ts',
  'client/test/disputes.test.ts',
  'client/test/stripe-elements.test.ts',
];

const rank = (spec: TestSpecification) => {
  const i = LONGEST_FIRST.findIndex((f) => spec.moduleId.endsWith(`/${f}`));
  return i === -1 ? LONGEST_FIRST.length : i;
};

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Vitest's order of projects (group order, then name) stays; inside each, listed files go first.
    const projectAt = new Map<string, number>();
    sorted.forEach((spec, i) => projectAt.has(spec.project.name) || projectAt.set(spec.project.name, i));
    return sorted
      .map((spec, i) => ({ spec, key: [projectAt.get(spec.project.name)!, rank(spec), i] }))
      .sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./shared', import.meta.url)) },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    isolate: false,
    sequence: { sequencer: LongestFirstSequencer },
    // Integration files spend much of their time waiting on servers, Postgres and Redis: two at a
    // time (beside `npm test`'s two browser files) shortens the suite on a 2-core machine; three
    // beside two browser files saturated it (pool and test timeouts at load average 15).
    // VITEST_MAX_WORKERS overrides it (e.g. 1 to rule out interference while chasing a flake).
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
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
          // Two browser files at a time (BROWSER_WORKERS overrides). Each file drives its own
          // Chromium against its own server, so files share nothing; one at a time left the
          // browser project as the suite's critical path (about 500 s alone) long after the
          // other tiers had finished on this 2-core machine.
          maxWorkers: Number(process.env.BROWSER_WORKERS ?? 2),
        },
      },
      {
        extends: true,
        test: { name: 'bench', include: ['load-tests/**/*.test.ts'], sequence: { groupOrder: 2 }, fileParallelism: false },
      },
    ],
  },
});
