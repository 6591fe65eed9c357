/*
 * Micro-benchmarks of the pieces of the hold path that the profiles point at (CPU ms per call in
 * this process), next to a cheaper way of doing the same: re-run after a server-side fix.
 *   npx tsx load-tests/runner/hotspots.ts
 */
import { performance } from 'node:perf_hooks';
import { createHmac } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createTokenService } from '../../server/auth/tokens';
import { ormConfig } from '../../server/db/orm-config';
import { createSlotRepository } from '../../server/db/slot.repository';
import { createWorkshopRepository } from '../../server/db/workshop.repository';
import { localDayOf } from '../../server/domain/slot-generation';
import { startCluster } from './cluster';
import { createWorkshops, login } from '../../server/test/fixtures/bench';
import { Http } from './http';

const bench = async (label: string, n: number, fn: () => Promise<unknown> | unknown) => {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const wall = (performance.now() - t0) / n;
  const cu = process.cpuUsage(c0);
  console.error(`${label.padEnd(44)} ${(((cu.user + cu.system) / 1000) / n).toFixed(3)} ms CPU/op  ${wall.toFixed(3)} ms wall/op`);
};

const tokens = createTokenService('x'.repeat(40), 24);
const token = await tokens.issue({ id: '5b0a3c2e-1111-4222-8333-944445555666', role: 'customer', sid: '6c1b4d3f-2222-4333-8444-a55556666777' });
await bench('jose jwtVerify (HS256, WebCrypto)', 3000, () => tokens.verify(token));
const [h, p, sig] = token.split('.');
await bench('node:crypto createHmac HS256 check', 3000, () => createHmac('sha256', 'x'.repeat(40)).update(`${h}.${p}`).digest('base64url') === sig);
await bench('localDayOf (luxon, zone validated per call)', 20000, () => localDayOf(new Date(), 'Europe/London'));
const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
await bench('cached Intl.DateTimeFormat local day', 20000, () => fmt.format(new Date()));

const t = await startCluster({ processes: 1, quiet: true });
const http = new Http(t.urls);
try {
  const admin = await login(http, t.admin);
  const [w] = await createWorkshops(http, admin, 1, { bays: 5 });
  const orm = await MikroORM.init(ormConfig(t.databaseUrl!));
  const slots = createSlotRepository(orm);
  const workshops = createWorkshopRepository(orm);
  const s = w!.slots[3]!;
  const conn = orm.em.getConnection();
  await bench('ORM workshops.findById', 1000, () => workshops.findById(w!.id));
  await bench('ORM workshops.findService', 1000, () => workshops.findService(w!.serviceId));
  await bench('ORM slots.byIds([1])', 1000, () => slots.byIds([s.id]));
  await bench('ORM slots.list(2 slots)', 1000, () => slots.list(w!.id, new Date(s.startsAt), new Date(Date.parse(s.startsAt) + 3_600_000)));
  await bench('ORM slots.list(7 days, ~330 slots)', 200, () => slots.list(w!.id, new Date(), new Date(Date.now() + 7 * 86_400_000)));
  await bench('raw: slot run from slot id (1 query)', 1000, () =>
    conn.execute(`select s.id, s.starts_at, s.ends_at, s.capacity, s.booked from slot s, slot f where f.id = ? and s.workshop_id = f.workshop_id and s.starts_at >= f.starts_at order by s.starts_at limit 2`, [s.id]));
  await bench('raw: 7 days of slots (~330 rows)', 200, () => conn.execute('select id, starts_at, ends_at, capacity, booked from slot where workshop_id = ? and starts_at >= ? and starts_at < ? order by starts_at', [w!.id, new Date(), new Date(Date.now() + 7 * 86_400_000)]));
  await orm.close(true);
} finally {
  await http.close();
  await t.close();
}
