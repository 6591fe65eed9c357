import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { dropDatabase } from '../db/create-database';
import { migrateDatabase } from '../db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
    /** Debian's Chromium unless CHROMIUM_PATH says otherwise (browser tests). */
    chromiumPath: string;
    /** UPDATE_SCREENS=1 (`npm run screens`): browser tests refresh docs/screens/. */
    updateScreens: boolean;
  }
}

/**
 * One fresh database and one Redis key prefix per test run, so runs never collide. The one
 * place tests read the environment (as server/env.ts is for the server); tests `inject()` it.
 */
export default async function setup(project: TestProject) {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/holdfast_test_${run}`;
  const databaseUrl = url.toString();
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `hft_${run}:`;

  await migrateDatabase(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('redisPrefix', redisPrefix);
  project.provide('chromiumPath', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  project.provide('updateScreens', process.env.UPDATE_SCREENS === '1');

  return async () => {
    await dropDatabase(databaseUrl);
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
