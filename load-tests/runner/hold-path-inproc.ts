/*
 * The hold path in one process, without sockets: hold + release pairs through the app's own
 * fetch (every middleware, the domain, Redis and the publisher; no HTTP parsing or client), CPU of
 * this process per pair from process.cpuUsage. Steadier than a spawned server on a busy machine,
 * for comparing two versions of the hold path back to back.
 *   npx tsx load-tests/runner/hold-path-inproc.ts [pairs=3000] [concurrent=16]
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../../server/auth/password';
import { ormConfig } from '../../server/db/orm-config';
import { migrateDatabase } from '../../server/db/migrate';
import { createUserRepository } from '../../server/db/user.repository';
import { parseEnv } from '../../server/env';
import { startServer } from '../../server/runtime';
import { createWorkshops, login, registerCustomers } from '../../server/test/fixtures/bench';
import { dropDatabase } from '../../server/db/create-database';
import { deleteRedisPrefix } from './cluster';
import { Http } from './http';

const [pairs = 3000, concurrent = 16] = process.argv.slice(2).map(Number);
const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/holdfast_inproc_${run}`;
const redisPrefix = `hfi_${run}:`;
await migrateDatabase(databaseUrl);
const orm = await MikroORM.init(ormConfig(databaseUrl));
await createUserRepository(orm).create({ email: `admin-${run}@bench.holdfast`, name: 'admin', role: 'admin', passwordHash: await hashPassword('admin-password-123') });
await orm.close(true);
const env = parseEnv({
  NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseUrl, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: redisPrefix,
  JWT_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', SERVE_CLIENT: 'false', SLOT_ROLL_MINUTES: '0',
  RATE_LIMIT_REGISTER_PER_HOUR: '1000000', RATE_LIMIT_LOGIN_PER_MIN: '1000000', RATE_LIMIT_HOLDS_PER_MIN: '1000000',
  MAIL_WORKER: 'false',
});
const server = await startServer(env, { migrate: false });
const http = new Http([server.url]);
try {
  const admin = await login(http, { email: `admin-${run}@bench.holdfast`, password: 'admin-password-123' });
  const workshops = await createWorkshops(http, admin, 4, { bays: 50 });
  const customers = await registerCustomers(http, concurrent);
  const all = workshops.flatMap((w) => w.slots.map((s) => ({ w, s })));
  let cursor = 0;
  const call = (method: string, path: string, token: string, body?: unknown) =>
    server.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const round = async (n: number) => {
    let done = 0;
    let failed = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(customers.map(async (c) => {
      while (done + failed < n) {
        const { w, s } = all[cursor++ % all.length]!;
        const h = await call('POST', '/api/holds', c.token, { workshopId: w.id, serviceId: w.serviceId, slotId: s.id });
        if (h.status !== 201) { failed++; continue; }
        const id = ((await h.json()) as { hold: { id: string } }).hold.id;
        const d = await call('DELETE', `/api/holds/${id}`, c.token);
        if (d.status === 204) done++; else failed++;
      }
    }));
    const cu = process.cpuUsage(c0);
    return { done, failed, cpuMs: (cu.user + cu.system) / 1000 / done, wallMs: (performance.now() - t0) / done };
  };
  await round(Math.min(1000, pairs)); // warm-up: JIT, every workshop's first hold
  const results = [];
  for (let i = 0; i < 3; i++) {
    const r = await round(pairs);
    results.push(r);
    console.log(`round ${i + 1}: ${r.done} pairs, failed ${r.failed}, ${r.cpuMs.toFixed(3)} ms CPU per pair (this process), ${(1000 / r.wallMs).toFixed(0)} pairs/s`);
  }
  console.log(`best ${Math.min(...results.map((r) => r.cpuMs)).toFixed(3)} ms CPU per hold+release pair`);
} finally {
  await http.close();
  await server.close();
  await dropDatabase(databaseUrl).catch(() => undefined);
  await deleteRedisPrefix('redis://127.0.0.1:6379', redisPrefix).catch(() => undefined);
}
