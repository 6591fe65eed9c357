import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { hashPassword } from '../../server/auth/password';
import { dropDatabase } from '../../server/db/create-database';
import { migrateDatabase } from '../../server/db/migrate';
import { ormConfig } from '../../server/db/orm-config';
import { createUserRepository } from '../../server/db/user.repository';
import { progress, sleep } from './log';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the load goes: the runner's own fresh servers, or a deployment given with --url. */
export interface Target {
  urls: string[];
  own: boolean;
  /** Postgres of the target, for the double-booking count (own servers, or --database-url). */
  databaseUrl?: string;
  redisUrl: string;
  redisPrefix?: string;
  admin: { email: string; password: string };
  /** Server processes (own servers only: each primary and its workers), whose CPU time the scenarios count. */
  pids: number[];
  close(): Promise<void>;
}

export interface ClusterOptions {
  processes: number;
  /** node:cluster workers per process (WEB_CONCURRENCY, as `npm start` runs them); default 1. */
  workers?: number;
  /** Extra env for the servers (e.g. to raise limits further). */
  env?: Record<string, string>;
  /** Write V8 CPU profiles of the server processes into this folder. */
  cpuProfDir?: string;
  baseDatabaseUrl?: string;
  redisUrl?: string;
  quiet?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls GET /ready until it answers 200 or the deadline passes. */
export async function waitReady(url: string, child: ChildProcess | undefined, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server ${url} exited with code ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/ready`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`server ${url} not ready after ${timeoutMs} ms`);
}

/** Spawns `node --import tsx <entry>` with env; stderr lines are forwarded with a tag. */
export function spawnNode(entry: string, env: Record<string, string>, tag: string, nodeArgs: string[] = [], quiet = false): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) => {
    if (quiet) return;
    for (const line of chunk.toString().split('\n')) if (line.trim()) process.stderr.write(`[${tag}] ${line.slice(0, 400)}\n`);
  };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', forward);
  return child;
}

/** The pid of the process answering /health on a fresh connection (node:cluster deals each to the next worker). */
function healthPid(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpGet(`${url}/health`, { agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve((JSON.parse(text) as { pid?: number }).pid));
    });
    req.on('error', () => resolve(undefined));
  });
}

/** Waits until `workers` distinct processes answer on `url`; returns their pids. */
export async function workerPids(url: string, workers: number, timeoutMs = 60_000): Promise<number[]> {
  const seen = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < workers) {
    if (Date.now() > deadline) throw new Error(`only ${seen.size} of ${workers} workers answered on ${url}`);
    const pid = await healthPid(url);
    if (pid) seen.add(pid);
    else await sleep(100);
  }
  return [...seen];
}

/** Sends SIGTERM and waits for the exit (SIGKILL after a grace period). */
export async function stopChild(child: ChildProcess, graceMs = 12_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
  let cursor = '0';
  let n = 0;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

const ADMIN_PASSWORD = 'bench-admin-password';

/**
 * Starts 1 or 2 Holdfast processes (`server/main.ts`) on a fresh database `holdfast_bench_<rand>`
 * and a fresh Redis prefix, sharing Redis (and so Socket.IO rooms, through the adapter).
 * Everything is dropped again by close().
 */
export async function startCluster(opts: ClusterOptions): Promise<Target> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = new URL(opts.baseDatabaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/holdfast_bench_${run}`;
  const databaseUrl = base.toString();
  const redisUrl = opts.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `hfb_${run}:`;
  const jwtSecret = randomBytes(32).toString('hex');

  progress(`fresh database ${base.pathname.slice(1)}, Redis prefix ${redisPrefix}`);
  await migrateDatabase(databaseUrl);

  // Admins are never self-registered: create one in the store, as the test factories do.
  const adminEmail = `admin-${run}@bench.holdfast`;
  const orm = await MikroORM.init(ormConfig(databaseUrl));
  try {
    await createUserRepository(orm).create({ email: adminEmail, name: 'Bench admin', role: 'admin', passwordHash: await hashPassword(ADMIN_PASSWORD) });
  } finally {
    await orm.close(true);
  }

  const children: ChildProcess[] = [];
  const urls: string[] = [];
  const workers = opts.workers ?? 1;
  const pids: number[] = [];
  const cleanup = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await dropDatabase(databaseUrl).catch((err) => progress(`could not drop ${databaseUrl}: ${String(err)}`));
    await deleteRedisPrefix(redisUrl, redisPrefix).catch((err) => progress(`could not clean Redis: ${String(err)}`));
  };

  try {
    // The runner migrated already, so the servers find nothing to apply and can start together.
    const started = await Promise.all(
      Array.from({ length: opts.processes }, async (_, i) => {
        const port = await freePort();
        const env: Record<string, string> = {
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          REDIS_PREFIX: redisPrefix,
          JWT_SECRET: jwtSecret,
          LOG_LEVEL: 'warn',
          SERVE_CLIENT: 'false',
          SLOT_ROLL_MINUTES: '0',
          RATE_LIMIT_LOGIN_PER_MIN: '1000000',
          RATE_LIMIT_REGISTER_PER_HOUR: '1000000',
          RATE_LIMIT_HOLDS_PER_MIN: '1000000',
          RATE_LIMIT_CONFIRMS_PER_MIN: '1000000',
          RATE_LIMIT_AVAILABILITY_PER_MIN: '1000000',
          RATE_LIMIT_MATCH_PER_MIN: '1000000',
          RATE_LIMIT_SEARCH_PER_MIN: '1000000',
          MAX_OPEN_BOOKINGS: '1000',
          WEB_CONCURRENCY: String(workers),
          // The bench measures the booking path; its bookings' mail would only pile up in the outbox.
          MAIL_WORKER: 'false',
          ...opts.env,
        };
        const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
        const child = spawnNode('server/main.ts', env, `server${i + 1}`, nodeArgs, opts.quiet);
        children.push(child);
        const url = `http://127.0.0.1:${port}`;
        await waitReady(url, child);
        // With workers the primary only deals connections out (round-robin, which costs it CPU
        // too): count it and every worker.
        const serving = workers > 1 ? await workerPids(url, workers) : [];
        pids.push(child.pid ?? 0, ...serving);
        progress(`server ${i + 1} ready at ${url} (pid ${child.pid}${workers > 1 ? `, workers ${serving.join(', ')}` : ''})`);
        return url;
      }),
    );
    urls.push(...started);
  } catch (err) {
    await cleanup();
    throw err;
  }

  return {
    urls,
    own: true,
    databaseUrl,
    redisUrl,
    redisPrefix,
    admin: { email: adminEmail, password: ADMIN_PASSWORD },
    pids,
    close: cleanup,
  };
}

/** A deployment given with --url: credentials from env, default to the demo seed's admin. */
export function externalTarget(url: string, databaseUrl?: string): Target {
  return {
    urls: url.split(',').map((u) => u.trim().replace(/\/$/, '')),
    own: false,
    databaseUrl,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    admin: {
      email: process.env.ADMIN_EMAIL ?? 'admin@holdfast.test',
      password: process.env.ADMIN_PASSWORD ?? 'holdfast-admin',
    },
    pids: [],
    close: async () => {},
  };
}
