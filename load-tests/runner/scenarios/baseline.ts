import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { closedLoop } from '../arrivals';
import { auditCapacity } from '../db-check';
import { cpuByPid, cpuSince, cpuSnapshot, cpuSpent } from '../cpu';
import { freePort, spawnNode, stopChild, waitReady } from '../cluster';
import { createWorkshops, registerCustomers } from '../../../server/test/fixtures/bench';
import { Http } from '../http';
import { progress, sleep } from '../log';
import { round2, Samples, type LatencySummary } from '../stats';
import { DeliveryTracker, WatcherPool } from '../watchers';
import { fanoutPacing, measureFanout } from './fanout';
import type { ScenarioContext, ScenarioResult } from '../context';

interface LoopResult {
  perSec: number;
  latency: LatencySummary;
  ok: number;
  failed: number;
  /**
   * CPU ms per timed operation, per process group (Linux /proc; 10 ms ticks, so only long runs are
   * exact). `postgresBenchDb`: only the backends connected to the bench database (the Holdfast
   * pools and the peer's), so other databases on a shared Postgres do not count.
   */
  cpuMsPerOp: ReturnType<typeof cpuSpent> & { postgresBenchDb?: number };
}

/** Closed loop of `workers` clients for `sec` seconds; `fn` returns the timed ms or null on failure. */
async function loop(workers: number, sec: number, pids: { servers: number[]; baseline: number; benchDb?: () => Promise<number[]> }, fn: (worker: number, i: number) => Promise<number | null>): Promise<LoopResult> {
  const lat = new Samples();
  let failed = 0;
  const dbBefore = pids.benchDb ? cpuByPid(await pids.benchDb()) : undefined;
  const before = cpuSnapshot(pids.servers, { baselineServer: pids.baseline });
  const r = await closedLoop(workers, sec, async (w, i) => {
    const ms = await fn(w, i);
    if (ms === null) failed++;
    else lat.add(ms);
  });
  const cpuMsPerOp: LoopResult['cpuMsPerOp'] = cpuSpent(before, cpuSnapshot(pids.servers, { baselineServer: pids.baseline }), lat.count);
  if (dbBefore && pids.benchDb && lat.count) cpuMsPerOp.postgresBenchDb = Math.round((cpuSince(dbBefore, cpuByPid(await pids.benchDb())) / lat.count) * 1000) / 1000;
  return { perSec: round2(lat.count / (r.elapsedMs / 1000)), latency: lat.summary(), ok: lat.count, failed, cpuMsPerOp };
}

const SCRATCH = `
  drop table if exists bench_selected_slot, bench_booking, bench_slot;
  create table bench_selected_slot (id bigserial primary key, slot_id uuid not null, customer_id uuid not null,
    release_at timestamptz not null, unique (slot_id, customer_id));
  create table bench_slot (id uuid primary key, capacity int not null, booked int not null default 0,
    check (booked >= 0 and booked <= capacity));
  create table bench_booking (id bigserial primary key, slot_id uuid not null references bench_slot(id), customer_id uuid not null,
    created_at timestamptz not null default now());
  insert into bench_slot (id, capacity) select gen_random_uuid(), 50 from generate_series(1, 5000);`;

/** Bare emits of a slots:changed-shaped payload to `watchers` sockets on the baseline server. */
async function bareEmit(url: string, watchers: number, pacing: ReturnType<typeof fanoutPacing>): Promise<{ delivery: LatencySummary; expected: number; received: number }> {
  const http = new Http([url], 8);
  const pool = new WatcherPool([url]);
  const tracker = new DeliveryTracker();
  pool.onSlotsChanged(tracker.onEvent);
  try {
    await pool.connect(watchers);
    tracker.enabled = false;
    for (let k = 0; k < pacing.warmup; k++) {
      await http.post('/emit', { workshopId: 'bench', epoch: 'e', changes: [{ seq: 0, cause: 'held', slots: [{ id: randomUUID(), capacity: 1, booked: 0, held: 1, free: 0 }] }] });
      await sleep(pacing.intervalMs);
    }
    tracker.enabled = true;
    const t0 = performance.now();
    for (let k = 0; k < pacing.holds; k++) {
      await sleep(Math.max(0, t0 + k * pacing.intervalMs - performance.now()));
      const id = randomUUID();
      tracker.sending(id);
      const r = await http.post('/emit', { workshopId: 'bench', epoch: 'e', changes: [{ seq: k + 1, cause: 'held', slots: [{ id, capacity: 1, booked: 0, held: 1, free: 0 }] }] });
      if (r.status === 204) tracker.succeeded(watchers - pool.connectErrors);
    }
    const deadline = Date.now() + 20_000;
    while (tracker.received < tracker.expected && Date.now() < deadline) await sleep(50);
    return { delivery: tracker.delay.summary(), expected: tracker.expected, received: tracker.received };
  } finally {
    pool.close();
    await http.close();
  }
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? Number((a / b).toPrecision(3)) : null);

export async function baselineScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { http, opts } = ctx;
  if (!ctx.target.databaseUrl) throw new Error('baseline needs the database (own servers, or --database-url with --url) for the peer tables');
  const sec = Math.max(0.5, Math.min(opts.durationSec, 10) / 2);
  const C = opts.concurrency;

  const db = new pg.Client({ connectionString: ctx.target.databaseUrl });
  await db.connect();
  await db.query(SCRATCH);
  const peerSlots = (await db.query<{ id: string }>('select id from bench_slot')).rows.map((r) => r.id);
  // Kept open: it lists the bench database's backends around each loop (its own excluded).
  const benchDb = async () =>
    (await db.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`)).rows.map((r) => r.pid);

  const port = await freePort();
  const child = spawnNode('load-tests/runner/baseline-server.ts', { PORT: String(port), DATABASE_URL: ctx.target.databaseUrl }, 'baseline');
  const url = `http://127.0.0.1:${port}`;
  const bare = new Http([url]);
  try {
    await waitReady(url, child);
    const workshops = await createWorkshops(http, ctx.admin, Math.min(4, opts.workshops), { bays: 50 });
    const customers = await registerCustomers(http, C);
    const slotsAll = workshops.flatMap((w) => w.slots.map((s) => ({ w, s })));
    const peerCustomers = customers.map(() => randomUUID());
    let cursor = 0;
    const nextSlot = () => slotsAll[cursor++ % slotsAll.length]!;

    const warm = async () => closedLoop(C, 1, async () => void (await http.get('/health')));
    await warm();
    const pids = { servers: ctx.target.pids, baseline: child.pid ?? 0, benchDb };

    progress(`baseline: bare Hono GET, ${C} clients × ${sec} s`);
    const bareGet = await loop(C, sec, pids, async () => {
      const r = await bare.get('/ping');
      return r.status === 200 ? r.ms : null;
    });
    progress(`baseline: Holdfast GET /health`);
    const holdfastGet = await loop(C, sec, pids, async () => {
      const r = await http.get('/health');
      return r.status === 200 ? r.ms : null;
    });

    progress(`baseline: Holdfast GET availability (7-day default window)`);
    const availability = await loop(C, sec, pids, async (_, i) => {
      const r = await http.get(`/api/workshops/${workshops[i % workshops.length]!.id}/availability`);
      return r.status === 200 ? r.ms : null;
    });
    progress(`baseline: Holdfast hold (each followed by an untimed release, so MAX_ACTIVE_HOLDS never bites)`);
    const releaseMs = new Samples();
    const hold = await loop(C, sec, pids, async (worker) => {
      const { w, s } = nextSlot();
      const token = customers[worker]!.token;
      const r = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId: s.id }, token);
      if (r.status !== 201) return null;
      const d = await http.del(`/api/holds/${r.body.hold.id}`, token);
      releaseMs.add(d.ms);
      return r.ms;
    });
    progress(`baseline: peer cal.com-style reservation (one upsert)`);
    const peerReserve = await loop(C, sec, pids, async (worker, i) => {
      const r = await bare.post('/peer/reserve', { slotId: peerSlots[i % peerSlots.length], customerId: peerCustomers[worker] });
      return r.status === 201 ? r.ms : null;
    });

    progress(`baseline: Holdfast confirm (each after an untimed hold)`);
    const confirm = await loop(C, sec, pids, async (worker, i) => {
      const { w, s } = nextSlot();
      const token = customers[worker]!.token;
      const h = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId: s.id }, token);
      if (h.status !== 201) return null;
      const r = await http.post('/api/bookings', { holdId: h.body.hold.id }, token, { 'Idempotency-Key': `base-${i}` });
      return r.status === 201 ? r.ms : null;
    });
    progress(`baseline: peer row-lock booking (SELECT … FOR UPDATE, insert, update)`);
    const peerBook = await loop(C, sec, pids, async (worker, i) => {
      const r = await bare.post('/peer/book', { slotId: peerSlots[i % peerSlots.length], customerId: peerCustomers[worker] });
      return r.status === 201 ? r.ms : null;
    });

    let emit: { bare: Awaited<ReturnType<typeof bareEmit>>; holdfast: Awaited<ReturnType<typeof measureFanout>> | null } | null = null;
    if (opts.watchers > 0) {
      progress(`baseline: bare Socket.IO room emit to ${opts.watchers} watchers`);
      const bareE = await bareEmit(url, opts.watchers, fanoutPacing(opts.watchers, opts));
      let hf = null;
      if (ctx.realtime) {
        progress(`baseline: Holdfast hold → slots:changed to ${opts.watchers} watchers`);
        hf = await measureFanout(ctx, opts.watchers);
      }
      emit = { bare: bareE, holdfast: hf };
    }

    const audit = await auditCapacity(ctx.target.databaseUrl, workshops.map((w) => w.id));
    const holdReqPerSec = round2(hold.perSec * 2);
    return {
      scenario: 'baseline',
      correct: audit.doubleBookings === 0 && hold.failed === 0 && confirm.failed === 0 && (emit?.holdfast ? emit.holdfast.events.received === emit.holdfast.events.expected : true),
      concurrency: C,
      secondsEach: sec,
      bareGet,
      holdfastGet,
      availability,
      hold: { ...hold, releaseLatency: releaseMs.summary(), requestsPerSec: holdReqPerSec },
      peerReserve,
      confirm,
      peerBook,
      emit,
      ratios: {
        holdPerSecVsBareGet: ratio(hold.perSec, bareGet.perSec),
        holdAndReleaseReqPerSecVsBareGet: ratio(holdReqPerSec, bareGet.perSec),
        holdfastGetVsBareGet: ratio(holdfastGet.perSec, bareGet.perSec),
        holdPerSecVsPeerReserve: ratio(hold.perSec, peerReserve.perSec),
        holdP95VsPeerReserveP95: ratio(hold.latency.p95, peerReserve.latency.p95),
        confirmPerSecVsPeerBook: ratio(confirm.perSec, peerBook.perSec),
        confirmP95VsPeerBookP95: ratio(confirm.latency.p95, peerBook.latency.p95),
        fanoutP95VsBareEmitP95: ratio(emit?.holdfast?.delivery.p95, emit?.bare.delivery.p95),
      },
      doubleBookings: audit.doubleBookings,
    };
  } finally {
    await bare.close();
    await stopChild(child);
    await db.end();
  }
}
