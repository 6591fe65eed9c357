/*
 * The confirm's SQL alone, without HTTP or Redis: the booking store's confirm calls run one after
 * another on ONE hot-pool connection, and the CPU of that connection's Postgres backend is read
 * from /proc, so other work on a shared box does not count. The row-lock peer's SQL (baseline
 * scenario) runs the same way on its own connection. Then EXPLAIN (ANALYZE, BUFFERS, WAL) of the
 * booking write, the plan cache of the connection and the table and index counters.
 *   npx tsx load-tests/runner/confirm-sql.ts [confirms=2000] [--read] [SQL run before the concurrent part…]
 * --read: the context read before the transaction, as a confirm does when its rows are not cached.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createBookingRepository } from '../../server/db/booking.repository';
import { ormConfig } from '../../server/db/orm-config';
import { createPgPool, stmt } from '../../server/db/pg-pool';
import { createWorkshops, login, registerCustomers } from '../../server/test/fixtures/bench';
import { startCluster } from './cluster';
import { Http } from './http';

const READ = process.argv.includes('--read');
const args = process.argv.slice(2).filter((a) => a !== '--read');
const N = Number(args[0] ?? 2000);
const backendMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(x[11]) + Number(x[12])) * 10;
};

const t = await startCluster({ processes: 1, quiet: true });
const http = new Http(t.urls);
const url = t.databaseUrl!;
const orm = await MikroORM.init(ormConfig(url, { debug: false }));
const timeouts = { connectMs: 5000, acquireMs: 5000, statementMs: 10_000 };
const pool = createPgPool(url, timeouts, { max: 1 });
const wide = createPgPool(url, timeouts, { max: 8 });
const peer = new pg.Client({ connectionString: url });
try {
  await peer.connect();
  const started = new Date();
  const admin = await login(http, t.admin);
  const workshops = await createWorkshops(http, admin, 4, { bays: 50 });
  const customers = await registerCustomers(http, 16);
  const store = createBookingRepository(orm, pool);
  const SLA = (await peer.query<{ m: number }>('select accept_sla_minutes as m from workshop where id = $1', [workshops[0]!.id])).rows[0]!.m;
  const pid = (await pool.rows<{ pid: number }>(stmt('bench_pid', 'select pg_backend_pid() as pid'), []))[0]!.pid;
  const all = workshops.flatMap((w) => w.slots.map((s) => ({ w, s })));

  const confirmOn = (store: ReturnType<typeof createBookingRepository>, cust?: number) => async (i: number) => {
    const { w, s } = all[i % all.length]!;
    const c = customers[cust ?? i % customers.length]!;
    const now = new Date();
    const key = `sql-${i}`;
    // As the domain does: the hold catalog's rows checked by the write (guard), or (--read) a context read first.
    const slot = READ
      ? (await store.confirmContext!({ customerId: c.id, workshopId: w.id, serviceIds: [w.serviceId], slotIds: [s.id], key, keyNotBefore: new Date(now.getTime() - 86_400_000), countOpen: true })).slots[0]!
      : { id: s.id, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) };
    const r = await store.create({
      customerId: c.id, workshopId: w.id, serviceId: w.serviceId, services: [{ serviceId: w.serviceId, name: 'Oil change', durationMinutes: 30, priceCents: 4999, options: {} }], slotIds: [slot.id], startsAt: slot.startsAt, endsAt: slot.endsAt,
      status: 'accepted', priceCents: 4999, currency: 'GBP', options: {}, vehicle: null, notes: null, idempotencyKey: key,
      maxOpenPerCustomer: 1000, holdId: randomUUID(), keyAt: now, keyReusableBefore: new Date(now.getTime() - 86_400_000),
      acceptDeadline: null, createdAt: now,
      events: [{ type: 'requested', actorId: c.id, actorRole: 'customer', data: { holdId: 'h' } }, { type: 'accepted', actorId: null, actorRole: 'system', data: { autoAccept: true } }],
      guard: READ ? undefined : { autoAccept: true, acceptSlaMinutes: SLA },
    }, async () => {});
    if (!r.ok) throw new Error(`refused ${r.reason}`);
  };
  const confirmOnce = confirmOn(store);
  const run = async (label: string, n: number, offset: number, fn: (i: number) => Promise<void>, backend: number) => {
    const cpu0 = backendMs(backend);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(offset + i);
    const wall = (performance.now() - t0) / n;
    const cpu = (backendMs(backend) - cpu0) / n;
    console.log(JSON.stringify({ label, n, wallMsPerOp: Number(wall.toFixed(3)), backendCpuMsPerOp: Number(cpu.toFixed(3)) }));
  };

  await run('confirm warm-up', 200, 0, confirmOnce, pid);
  await run('confirm', N, 200, confirmOnce, pid);
  await pool.rows(stmt('bench_async', 'set synchronous_commit = off'), []);
  await run('confirm, synchronous_commit off (this session only, to price the WAL flush)', Math.min(N, 1000), 200 + N, confirmOnce, pid);
  await pool.rows(stmt('bench_sync', 'set synchronous_commit = on'), []);
  console.log(JSON.stringify({ planCache: (await pool.rows(stmt('bench_plans', 'select name, generic_plans, custom_plans from pg_prepared_statements order by name'), [])) }));
  // 16 customers at once on 8 connections (as the bench's closed loop does), every backend counted.
  const wideStore = createBookingRepository(orm, wide);
  for (const extra of args.slice(1)) await peer.query(extra).then(() => console.log(`ran: ${extra}`));
  await Promise.all(Array.from({ length: 8 }, () => wide.rows(stmt('bench_sleep', 'select pg_sleep(0.05)'), [])));
  const widePids = (await peer.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and application_name = 'holdfast-hot' and pid <> $1 and backend_start >= $2`, [pid, started])).rows.map((r) => r.pid);
  const cpuOf = () => widePids.reduce((a, p) => a + backendMs(p), 0);
  {
    const cpu0 = cpuOf();
    const t0 = performance.now();
    let next = 200 + 2 * N;
    const per = Math.floor(N / 16);
    await Promise.all(Array.from({ length: 16 }, async (_, k) => {
      const one = confirmOn(wideStore, k);
      for (let j = 0; j < per; j++) await one(next++);
    }));
    console.log(JSON.stringify({ label: `confirm, 16 customers at once on ${widePids.length} connections`, n: per * 16, perSec: Math.round((per * 16) / ((performance.now() - t0) / 1000)), backendCpuMsPerOp: Number(((cpuOf() - cpu0) / (per * 16)).toFixed(3)) }));
  }
  const texts = await pool.rows<{ name: string; statement: string }>(stmt('bench_texts', "select name, statement from pg_prepared_statements where name like 'hf_confirm%'"), []);

  await peer.query(`drop table if exists bench_booking, bench_slot;
    create table bench_slot (id uuid primary key, capacity int not null, booked int not null default 0, check (booked >= 0 and booked <= capacity));
    create table bench_booking (id bigserial primary key, slot_id uuid not null references bench_slot(id), customer_id uuid not null, created_at timestamptz not null default now());
    insert into bench_slot (id, capacity) select gen_random_uuid(), 50 from generate_series(1, 5000);`);
  const peerSlots = (await peer.query<{ id: string }>('select id from bench_slot')).rows.map((r) => r.id);
  const peerPid = (await peer.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const peerOnce = async (i: number) => {
    const slotId = peerSlots[i % peerSlots.length];
    await peer.query('begin');
    await peer.query({ name: 'p1', text: 'select capacity, booked from bench_slot where id = $1 for update', values: [slotId] });
    await peer.query({ name: 'p2', text: 'insert into bench_booking (slot_id, customer_id) values ($1, $2) returning id', values: [slotId, customers[0]!.id] });
    await peer.query({ name: 'p3', text: 'update bench_slot set booked = booked + 1 where id = $1', values: [slotId] });
    await peer.query('commit');
  };
  await run('peer warm-up', 200, 0, peerOnce, peerPid);
  await run('peer row-lock booking', N, 200, peerOnce, peerPid);

  // The booking write once more, explained (rolled back): where its time goes, triggers included.
  const book = texts.find((x) => x.name === 'hf_confirm_book');
  if (book) {
    const { w, s } = all[(3 * N + 999) % all.length]!;
    const c = customers[0]!;
    await peer.query(`prepare b as ${book.statement}`);
    await peer.query('set plan_cache_mode = force_generic_plan');
    await peer.query('begin');
    const now = new Date();
    // EXPLAIN takes no bind parameters: the values go in as literals.
    const lit = (v: unknown): string =>
      v === null ? 'null'
        : Array.isArray(v) ? peer.escapeLiteral(`{${v.map((x) => (x === null ? 'NULL' : JSON.stringify(String(x)))).join(',')}}`)
          : typeof v === 'number' ? String(v)
            : peer.escapeLiteral(v instanceof Date ? v.toISOString() : String(v));
    const args = [
      randomUUID(), c.id, w.id, w.serviceId, [s.id], now, now, 'accepted', 4999, 'GBP', '{}', null, null, 'explain-key', null, now, 1000,
      ['pending', 'accepted', 'in_progress'], [randomUUID(), randomUUID()], ['requested', 'accepted'], [c.id, null], ['customer', 'system'], ['{"holdId":"h"}', '{"autoAccept":true}'],
      // Guard off (the rows are not checked against a cache here), no outbox messages.
      false, null, null, '[]',
      // The visit's one service: ids, durations, prices, options.
      [w.serviceId], [30], [4999], ['{}'],
    ];
    const plan = await peer.query(`explain (analyze, buffers, wal) execute b(${args.map(lit).join(', ')})`);
    await peer.query('rollback');
    console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  const tables = await peer.query(`select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, seq_scan, idx_scan from pg_stat_user_tables
    where relname in ('booking','booking_slot','booking_event','idempotency_key','slot','workshop','service','user') order by relname`);
  console.table(tables.rows);
  const idx = await peer.query(`select relname, indexrelname, idx_scan, idx_tup_read from pg_stat_user_indexes
    where relname in ('booking','booking_slot','booking_event','idempotency_key','slot','user','workshop','service') order by relname, indexrelname`);
  console.table(idx.rows);
  const trig = await peer.query(`select tgrelid::regclass::text as tbl, count(*) as triggers from pg_trigger where tgrelid::regclass::text in ('booking','booking_slot','booking_event','idempotency_key','slot','workshop','service','"user"') group by 1 order by 1`);
  console.table(trig.rows);
} finally {
  await peer.end().catch(() => undefined);
  await pool.close();
  await wide.close();
  await orm.close();
  await http.close();
  await t.close();
}
