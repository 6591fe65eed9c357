import { constantArrivals } from '../arrivals';
import { cpuSnapshot, cpuSpent } from '../cpu';
import { auditCapacity } from '../db-check';
import { createWorkshops, registerCustomers, type Account } from '../../../server/test/fixtures/bench';
import { progress, sleep } from '../log';
import { newCounts, round2, Samples } from '../stats';
import { DeliveryTracker, WatcherPool } from '../watchers';
import type { ScenarioContext, ScenarioResult } from '../context';
import { trackedHold } from './tracked-hold';

/**
 * Sustained mixed traffic across many workshops: holds at `--rate`/s on distinct slots, each
 * followed at once by a confirm (half) or a release (half), one browse per 10 holds, and
 * `--watchers` sockets spread over the workshops measuring hold → slots:changed.
 */
export async function mixedScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { http, opts } = ctx;
  const rate = opts.rate ?? 1000;
  const workshops = await createWorkshops(http, ctx.admin, opts.workshops, { bays: 10 });
  const poolSize = opts.customers ?? Math.max(20, Math.ceil(rate * 0.2));
  const free: Account[] = await registerCustomers(http, poolSize);
  const cursors = workshops.map(() => 0);

  const tracker = new DeliveryTracker();
  const pool = new WatcherPool(http.urls);
  const watchersPer = ctx.realtime ? Math.floor(opts.watchers / workshops.length) : 0;
  const watching = new Map<string, number>();
  if (watchersPer > 0) {
    pool.onSlotsChanged(tracker.onEvent);
    await pool.connect(watchersPer * workshops.length);
    for (const [k, w] of workshops.entries()) {
      const r = await pool.watch(w.id, undefined, { from: k * watchersPer, to: (k + 1) * watchersPer });
      watching.set(w.id, r.ok);
    }
    progress(`${[...watching.values()].reduce((a, b) => a + b, 0)} watchers over ${workshops.length} workshops`);
  }

  const holds = newCounts();
  const confirms = newCounts();
  const releases = newCounts();
  const browses = newCounts();
  const holdMs = new Samples();
  const confirmMs = new Samples();
  const releaseMs = new Samples();
  const browseMs = new Samples();
  let noShopper = 0;
  const unexpected: string[] = [];
  const note = (s: string) => unexpected.length < 8 && unexpected.push(s);
  const tally = { holds, holdMs, tracker, note };
  const day = (w: (typeof workshops)[number]) => {
    const from = w.slots[0]!.startsAt;
    return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.parse(from) + 86_400_000).toISOString())}`;
  };

  progress(`mixed: ${rate} holds/s for ${opts.durationSec} s over ${workshops.length} workshops, ${poolSize} customers`);
  const cpuBefore = cpuSnapshot(ctx.target.pids);
  const arrivals = await constantArrivals(rate, opts.durationSec, poolSize, async (i) => {
    const customer = free.pop();
    if (!customer) {
      noShopper++;
      return;
    }
    try {
      const k = i % workshops.length;
      const w = workshops[k]!;
      if (i % 10 === 0) {
        browses.attempted++;
        const b = await http.get(`/api/workshops/${w.id}/availability?${day(w)}`);
        browseMs.add(b.ms);
        if (b.status === 200) browses.succeeded++;
        else browses.errors++;
      }
      // Distinct slots: a slot is held once per run, so every event maps to exactly one hold.
      const c = cursors[k] ?? 0;
      cursors[k] = c + 1;
      const slot = w.slots[c % w.slots.length]!;
      const holdId = await trackedHold(http, tally, w, slot.id, customer, () => watching.get(w.id) ?? 0);
      if (!holdId) return;
      if (i % 2 === 0) {
        confirms.attempted++;
        const c = await http.post('/api/bookings', { holdId }, customer.token, { 'Idempotency-Key': `mixed-${i}` });
        confirmMs.add(c.ms);
        if (c.status === 201) confirms.succeeded++;
        else if (c.status === 409) confirms.conflicts++;
        else {
          confirms.errors++;
          note(`confirm ${c.status} ${JSON.stringify(c.body).slice(0, 100)}`);
        }
      } else {
        releases.attempted++;
        const r = await http.del(`/api/holds/${holdId}`, customer.token);
        releaseMs.add(r.ms);
        if (r.status === 204) releases.succeeded++;
        else {
          releases.errors++;
          note(`release ${r.status}`);
        }
      }
    } finally {
      free.push(customer);
    }
  });
  const cpuPerHold = cpuSpent(cpuBefore, cpuSnapshot(ctx.target.pids), holds.attempted);
  const deadline = Date.now() + 20_000;
  while (tracker.received < tracker.expected && Date.now() < deadline) await sleep(50);
  pool.close();

  const audit = ctx.target.databaseUrl ? await auditCapacity(ctx.target.databaseUrl, workshops.map((w) => w.id)) : null;
  const sec = arrivals.elapsedMs / 1000;
  return {
    scenario: 'mixed',
    correct: (audit?.doubleBookings ?? 0) === 0 && holds.errors === 0 && confirms.errors === 0 && releases.errors === 0 && tracker.received === tracker.expected,
    targetRate: rate,
    durationSec: opts.durationSec,
    workshops: workshops.length,
    customers: poolSize,
    watchers: watchersPer * workshops.length,
    arrivals: { ...arrivals, noShopper },
    counts: holds,
    confirmCounts: confirms,
    releaseCounts: releases,
    browseCounts: browses,
    throughput: {
      holdsPerSec: round2(holds.attempted / sec),
      confirmsPerSec: round2(confirms.attempted / sec),
      requestsPerSec: round2((holds.attempted + confirms.attempted + releases.attempted + browses.attempted) / sec),
    },
    latencyMs: { hold: holdMs.summary(), confirm: confirmMs.summary(), release: releaseMs.summary(), browse: browseMs.summary(), holdToWatcher: tracker.delay.summary() },
    cpuMsPerHold: cpuPerHold,
    events: { expected: tracker.expected, received: tracker.received, unmatched: tracker.unmatched },
    doubleBookings: audit?.doubleBookings ?? null,
    audit,
    unexpected,
  };
}
