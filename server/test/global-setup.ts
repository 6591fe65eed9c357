import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { cloneDatabase, dropDatabase } from '../db/create-database';
import { migrateDatabase } from '../db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** A migrated database nobody connects to: files that need a database of their own clone it (harness.ts). */
    templateDatabaseUrl: string;
    /** TZ and the faketime variables of this run (npm run test:dates), for processes the tests spawn (harness.ts sharedClockEnv). */
    clockEnv: Record<string, string>;
    redisUrl: string;
    redisPrefix: string;
    /** Debian's Chromium unless CHROMIUM_PATH says otherwise (browser tests). */
    chromiumPath: string;
    /** UPDATE_SCREENS=1 (`npm run screens`): browser tests refresh docs/screens/. */
    updateScreens: boolean;
  }
}

/*
 * The one place tests read the environment (as server/env.ts is for the server); tests
 * `inject()` what is provided here. Each Vitest project that needs a store runs these for
 * itself (vitest.config.ts), so every project gets its own database and Redis prefix and
 * projects never collide, with each other or with other runs.
 */

const runId = () => `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** A Redis key prefix for this run of this project; teardown deletes every key under it. */
export function provideRedis(project: TestProject): () => Promise<void> {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `hft_${runId()}:`;
  project.provide('redisUrl', redisUrl);
  project.provide('redisPrefix', redisPrefix);
  return async () => {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  };
}

/**
 * A fresh, migrated database for this run of this project, and a migrated template beside it that
 * files with a database of their own clone (a copy takes a fraction of a second; migrating takes
 * seconds). Teardown drops both.
 */
export async function providePostgres(project: TestProject): Promise<() => Promise<void>> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  const name = `holdfast_test_${runId()}`;
  url.pathname = `/${name}_tpl`;
  const templateDatabaseUrl = url.toString();
  await migrateDatabase(templateDatabaseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await cloneDatabase(templateDatabaseUrl, databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('templateDatabaseUrl', templateDatabaseUrl);
  return async () => {
    await dropDatabase(databaseUrl);
    await dropDatabase(templateDatabaseUrl);
  };
}

/** Postgres and Redis (the integration and browser projects). */
/** The clock and zone this run has (moved by faketime under `npm run test:dates`), for spawned servers. */
export function provideClockEnv(project: TestProject) {
  project.provide('clockEnv', Object.fromEntries(['TZ', 'LD_PRELOAD', 'FAKETIME', 'FAKETIME_DONT_RESET'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))));
}

export default async function setup(project: TestProject) {
  provideClockEnv(project);
  const dropRedis = provideRedis(project);
  const dropPostgres = await providePostgres(project);
  return async () => {
    await dropPostgres();
    await dropRedis();
  };
}
