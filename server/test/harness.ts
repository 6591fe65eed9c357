import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createApiClient, type HoldfastClient } from '@shared/api/client';
import { cloneDatabase, dropDatabase } from '../db/create-database';
import type { Clock } from '../domain/clock';
import { parseEnv, type Env } from '../env';
import { startServer, type RunningServer } from '../runtime';

/** Env for a test server on this run's database and Redis prefix; any variable can be overridden. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return parseEnv({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    RATE_LIMIT_LOGIN_PER_MIN: '100000',
    RATE_LIMIT_REGISTER_PER_HOUR: '100000',
    RATE_LIMIT_HOLDS_PER_MIN: '100000',
    RATE_LIMIT_CONFIRMS_PER_MIN: '100000',
    RATE_LIMIT_AVAILABILITY_PER_MIN: '100000',
    RATE_LIMIT_MATCH_PER_MIN: '100000',
    RATE_LIMIT_SEARCH_PER_MIN: '100000',
    MAX_OPEN_BOOKINGS: '1000',
    SERVE_CLIENT: 'false',
    SLOT_ROLL_MINUTES: '0',
    // Test servers share one database: a settlement would pay every test's workshops. Payout tests settle by hand.
    PAYOUTS_ENABLED: 'false',
    // Store timeouts far above the defaults: on a loaded two-core machine a test's own event
    // loop can stall long enough to trip the production bounds. The outage tests set the
    // bounds they exercise themselves.
    REDIS_COMMAND_TIMEOUT_MS: '5000',
    PG_CONNECT_TIMEOUT_MS: '10000',
    PG_ACQUIRE_TIMEOUT_MS: '10000',
    PG_STATEMENT_TIMEOUT_MS: '20000',
    // Several test files run at once, some with several servers, against one Postgres
    // (max_connections 100 by default): smaller pools than production's 20 + 10 per process.
    PG_POOL_MAX: '8',
    PG_HOT_POOL_MAX: '5',
    REQUEST_DEADLINE_MS: '25000',
    // Test accounts hash at scrypt's lowest cost (server/auth/password.ts); the seed test logs in at the production cost.
    SCRYPT_COST_LOG2: '10',
    // Every file shares this database: a mail worker would send other files' mail. The mail
    // tests run theirs on a database of their own.
    MAIL_WORKER: 'false',
    ...overrides,
  });
}

/**
 * A database of this file's own, cloned from the run's migrated template before the file's other
 * `beforeAll` hooks (call it at the top of the file) and dropped after it. For files that run a
 * whole-database sweep (accept SLA, orphaned payments, insurance lapse) on a clock that is not
 * the real one: on the shared database such a sweep would act on other files' bookings, whose
 * deadlines are in real time (an SLA sweep at a 2027 clock expires every file's pending request).
 * Returns the URL, readable once the hooks ran; pass it as DATABASE_URL.
 */
export function useOwnDatabase(tag: string): () => string {
  if (!/^[a-z0-9_]+$/.test(tag)) throw new Error(`database tag must be [a-z0-9_]: ${tag}`);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${tag}`;
  const own = url.toString();
  let ready = false;
  beforeAll(async () => {
    await cloneDatabase(inject('templateDatabaseUrl'), own);
    ready = true;
  });
  afterAll(() => dropDatabase(own));
  return () => {
    if (!ready) throw new Error('useOwnDatabase: read the URL in a hook or test, after the database was made');
    return own;
  };
}

/**
 * The variables that give a spawned process (a real `server/main.ts`) this process's clock and
 * zone: under `npm run test:dates` the suite runs on a moved clock (faketime), and a child that
 * did not share it would answer on today's date (its default availability window, its deadlines).
 */
export const sharedClockEnv = (): Record<string, string> => inject('clockEnv');

/** A Redis key prefix of its own under this run's prefix (so global teardown still deletes its keys). */
export const ownPrefix = (tag = 's') => `${inject('redisPrefix')}${tag}${randomUUID().slice(0, 8)}:`;

export interface TestServerOptions {
  clock?: Clock;
  /**
   * Background sweepers: off unless a test asks. `'holds'` runs only the hold sweeper, which
   * sees nothing beyond the server's own Redis prefix. `true` also runs the Postgres sweeps
   * (accept SLA, purges), which scan the whole database that every test file shares: a server
   * whose clock is ahead would expire other files' pending bookings, so a test asking for them
   * gives the server a clock no other file's booking is overdue at.
   */
  sweepers?: boolean | 'holds';
  /** The webhook delivery worker: off unless a test asks (it would take other files' deliveries). */
  webhooks?: boolean;
}

/**
 * A real server on a random port (migrations already ran in global setup), on a Redis prefix of
 * its own unless `overrides.REDIS_PREFIX` names one (servers of one cluster share theirs), and
 * without background sweepers unless asked: test files run in parallel on one database.
 */
export function startTestServer(overrides: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<RunningServer> {
  return startServer(testEnv({ REDIS_PREFIX: ownPrefix(), ...overrides }), { migrate: false, clock: opts.clock, sweepers: opts.sweepers ?? false, webhooks: opts.webhooks ?? false });
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny JSON client over real HTTP. */
export function apiClient(baseUrl: string) {
  async function call<T = any>(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(opts.body);
    } else if (opts.raw !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body: payload });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text so the assertion shows it */
    }
    return { status: res.status, body, headers: res.headers };
  }
  return {
    baseUrl,
    call,
    get: <T = any>(path: string, token?: string) => call<T>('GET', path, { token }),
    post: <T = any>(path: string, body?: unknown, token?: string, headers?: Record<string, string>) => call<T>('POST', path, { body, token, headers }),
    patch: <T = any>(path: string, body?: unknown, token?: string) => call<T>('PATCH', path, { body, token }),
    put: <T = any>(path: string, body?: unknown, token?: string) => call<T>('PUT', path, { body, token }),
    del: <T = any>(path: string, token?: string) => call<T>('DELETE', path, { token }),
    /** The typed client for the same server (what the fixtures call through). */
    typed: (token?: string) => typedClient(baseUrl, token),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/**
 * The typed client (the one the browser and the load runner use, generated from the contract),
 * calling as the holder of `token` when given: `typedClient(url, token).POST('/api/v1/holds', { body })`.
 * Prefer it in new tests; `apiClient` stays for raw and malformed requests.
 */
export function typedClient(baseUrl: string, token?: string): HoldfastClient {
  return createApiClient({ baseUrl, headers: token ? { authorization: `Bearer ${token}` } : undefined });
}

/** The success body of a typed call after checking its status (the failure shows the body). */
export function expectStatus<D>(r: { data?: D; error?: unknown; response: Response }, status: number): D {
  expect(r.response.status, JSON.stringify(r.error ?? r.data)).toBe(status);
  return r.data as D;
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID().slice(0, 8)}@test.holdfast`;

/**
 * Starts a test server before the file's tests and closes it after; read `ctx.server`,
 * `ctx.api` (raw) and `ctx.as(token)` (typed) inside tests (they are set once beforeAll has run).
 */
export function useTestServer(overrides: Record<string, string> = {}, opts: TestServerOptions = {}) {
  const ctx = {} as { server: RunningServer; api: ApiClient; as: (token?: string) => HoldfastClient };
  beforeAll(async () => {
    ctx.server = await startTestServer(overrides, opts);
    ctx.api = apiClient(ctx.server.url);
    ctx.as = (token) => typedClient(ctx.server.url, token);
  });
  afterAll(() => ctx.server?.close());
  return ctx;
}

/**
 * Calls `probe` until `done` accepts its result (for changes that take effect within a cache
 * window); returns that result, or the last one when `timeoutMs` runs out so the assertion shows it.
 */
export async function pollUntil<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
