import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '../auth/password';
import { dropDatabase } from '../db/create-database';
import { ormConfig } from '../db/orm-config';
import { createUserRepository } from '../db/user.repository';
import { connect, openWorkshop, record, register, slotAhead, watchOk, type ClientSocket } from './fixtures';
import { apiClient, expectStatus, sharedClockEnv, uniqueEmail, type ApiClient } from './harness';
import { startCommand } from './start-command';

/*
 * `npm start` with WEB_CONCURRENCY=2, as deployed: a primary and two workers on one port
 * (server/main.ts, server/cluster-primary.ts). Connections are dealt round-robin, so which worker
 * answers is learnt from /health's pid, over a connection kept open (every request on it reaches
 * the same worker) or over fresh ones.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_workers`;
  return url.toString();
})();

let child: ChildProcess;
let out = '';
let url = '';
let api: ApiClient;
const sockets: ClientSocket[] = [];

/** pino lines of the primary and its workers (they share its stdout). */
const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
const serving = () => lines().filter((l) => l.msg === 'worker serving').map((l) => l.pid as number);

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) waiting for ${what}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One HTTP request; `agent` false: a fresh connection (the primary deals it to the next worker). */
function call(path: string, opts: { agent?: Agent | false; method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(`${url}${path}`, {
      method: opts.method ?? 'GET',
      agent: opts.agent ?? false,
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const pidOf = async (agent: Agent | false = false) => expectOk(await call('/health', { agent })).pid as number;
const expectOk = (r: { status: number; body: any }) => {
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
};

beforeAll(async () => {
  child = spawn(process.execPath, startCommand(), {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...sharedClockEnv(),
      WEB_CONCURRENCY: '2', DATABASE_URL: ownDatabase, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: `${inject('redisPrefix')}workers:`,
      PORT: '0', SERVE_CLIENT: 'false', SLOT_ROLL_MINUTES: '0', RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_MIN: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // Three processes compiling TypeScript at once (and migrations first) take a while on a busy box.
  url = (await until('a worker listening', () => /"url":"(http:[^"]+)","msg":"Holdfast listening"/.exec(out)?.[1], 100_000));
  await until('two workers serving', () => serving().length >= 2, 100_000);
  api = apiClient(url);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await dropDatabase(ownDatabase);
});

describe('npm start with WEB_CONCURRENCY=2', () => {
  it('runs two workers on one port; connections reach both, never the primary', async () => {
    const workers = serving();
    expect(new Set(workers).size).toBe(2);
    expect(workers).not.toContain(child.pid);
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) seen.add(await pidOf());
    expect(seen).toEqual(new Set(workers));
    // Migrations ran once, in the primary, before the workers started.
    expect(out).toContain('"msg":"starting workers"');
  });

  it('a hold made through one worker reaches watchers on the other; a killed worker is restarted while the other serves; SIGTERM stops all', async () => {
    // Accounts and a workshop through whichever worker answers (the admin is made in the store).
    const adminEmail = uniqueEmail('admin');
    const orm = await MikroORM.init(ormConfig(ownDatabase));
    try {
      await createUserRepository(orm).create({ email: adminEmail, name: 'Admin', role: 'admin', passwordHash: await hashPassword('correct-horse-battery') });
    } finally {
      await orm.close(true);
    }
    const admin = expectStatus(await api.typed().POST('/api/v1/auth/login', { body: { email: adminEmail, password: 'correct-horse-battery' } }), 200);
    const vendor = await register(api, 'vendor');
    const customer = await register(api, 'customer');
    const { workshop, services } = await openWorkshop(api, { vendorToken: vendor.token, adminToken: admin.token }, {
      name: 'Cluster Garage', city: 'Leeds', address: '1 Test Street', timezone: 'Europe/London', bays: 2, autoAccept: false, holdTtlSeconds: 120,
    });

    // Sockets dealt round-robin over both workers, every one watching the workshop.
    const watchers = [];
    for (let i = 0; i < 6; i++) {
      const s = await connect(url);
      sockets.push(s);
      const snap = await watchOk(s, workshop.id);
      watchers.push({ socket: s, rec: record(s), seq: snap.seq });
    }

    // The hold goes through one kept-open connection, so through one known worker.
    const pinned = new Agent({ keepAlive: true, maxSockets: 1 });
    const holder = await pidOf(pinned);
    const slot = await slotAhead(api, workshop.id);
    expectOk(await call('/api/v1/holds', { agent: pinned, method: 'POST', token: customer.token, body: { workshopId: workshop.id, serviceId: services[0]!.id, slotId: slot.id } }));
    expect(await pidOf(pinned)).toBe(holder);
    pinned.destroy();
    for (const w of watchers) {
      expect(await w.rec.waitForChange((e) => e.seq === w.seq + 1)).toMatchObject({ cause: 'held', slots: [{ id: slot.id, held: 1 }] });
    }

    // Kill the worker that took the hold: its sockets drop, the others (so on the other worker) stay.
    const other = serving().find((p) => p !== holder)!;
    process.kill(holder, 'SIGKILL');
    await until('the primary noticing', () => lines().some((l) => l.msg === 'worker died: restarting it' && l.pid === holder));
    // Meanwhile (the replacement starts after a back-off) the other worker answers.
    for (let i = 0; i < 3; i++) expect(await pidOf()).not.toBe(holder);
    const restarted = await until('the killed worker replaced', () => serving().find((p) => p !== holder && p !== other), 60_000);
    const survivors = watchers.filter((w) => w.socket.connected);
    expect(survivors.length).toBeGreaterThan(0);
    expect(survivors.length).toBeLessThan(watchers.length);
    // They were on the other worker all along and saw the hold made through the killed one (above).

    // The replacement serves, and what it changes reaches the survivors.
    const seen = new Set<number>();
    for (let i = 0; i < 12 && seen.size < 2; i++) seen.add(await pidOf());
    expect(seen).toEqual(new Set([other, restarted]));
    const second = await slotAhead(api, workshop.id, 1);
    expectStatus(await api.typed(customer.token).POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: services[0]!.id, slotId: second.id } }), 201);
    for (const w of survivors) await w.rec.waitForChange((e) => e.seq === w.seq + 2 && e.slots[0]?.id === second.id);

    // SIGTERM to the primary: passed on, every worker shuts down gracefully, the primary exits 0.
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(lines().filter((l) => l.msg === 'bye').length).toBe(3);
    for (const pid of [other, restarted]) expect(() => process.kill(pid, 0)).toThrow();
  }, 120_000);
});
