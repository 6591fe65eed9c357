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
 * A rush on ONE workshop: holds at `--rate`/s (default 500, open loop) on its slots in turn,
 * each released as soon as it is made so the rush can go on, while `--watchers` sockets
 * (default 1,000) watch that workshop. Every change reaches every watcher: the per-socket
 * cost of an emit, times the change rate, is what this scenario measures. Delay = hold sent
 * → the watcher has the `held` change.
 */
export async function rushScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  if (!ctx.realtime) {
    return { scenario: 'rush', correct: false, doubleBookings: null, skipped: 'the server has no Socket.IO endpoint' };
  }
  const { http, opts } = ctx;
  const rate = opts.rate ?? 500;
  // Ten bays per slot and ~1,600 slots over the horizon: a slot comes round again seconds later.
  const [workshop] = await createWorkshops(http, ctx.admin, 1, { bays: 10 });
  const w = workshop!;
  const poolSize = opts.customers ?? Math.max(20, Math.ceil(rate * 0.2));
  const free: Account[] = await registerCustomers(http, poolSize);

  const tracker = new DeliveryTracker();
  const pool = new WatcherPool(http.urls);
  let frames = 0;
  pool.onSlotsChanged(tracker.onEvent);
  pool.onSlotsChanged(() => void frames++);
  await pool.connect(opts.watchers);
  // Events go to the whole room whatever the window: a one-slot window keeps 1,000 snapshots cheap.
  const watched = await pool.watch(w.id, { from: w.slots[0]!.startsAt, to: w.slots[0]!.endsAt });
  progress(`rush: ${watched.ok}/${opts.watchers} watching workshop ${w.id.slice(0, 8)}; ${rate} holds/s for ${opts.durationSec} s, ${poolSize} customers, ${w.slots.length} slots`);

  const holds = newCounts();
  const releases = newCounts();
  const holdMs = new Samples();
  const releaseMs = new Samples();
  let noShopper = 0;
  const unexpected: string[] = [];
  const note = (s: string) => unexpected.length < 8 && unexpected.push(s);
  const tally = { holds, holdMs, tracker, note };
  const framesBefore = frames;
  const cpuBefore = cpuSnapshot(ctx.target.pids);
  const arrivals = await constantArrivals(rate, opts.durationSec, poolSize, async (i) => {
    const customer = free.pop();
    if (!customer) {
      noShopper++;
      return;
    }
    try {
      const slot = w.slots[i % w.slots.length]!;
      const holdId = await trackedHold(http, tally, w, slot.id, customer, () => watched.ok);
      if (!holdId) return;
      releases.attempted++;
      const r = await http.del(`/api/holds/${holdId}`, customer.token);
      releaseMs.add(r.ms);
      if (r.status === 204) releases.succeeded++;
      else {
        releases.errors++;
        note(`release ${r.status}`);
      }
    } finally {
      free.push(customer);
    }
  });
  const cpuPerHold = cpuSpent(cpuBefore, cpuSnapshot(ctx.target.pids), holds.attempted);
  const deadline = Date.now() + 30_000;
  while (tracker.received < tracker.expected && Date.now() < deadline) await sleep(50);
  const framesPerWatcher = watched.ok ? (frames - framesBefore) / watched.ok : 0;
  pool.close();

  const audit = ctx.target.databaseUrl ? await auditCapacity(ctx.target.databaseUrl, [w.id]) : null;
  const sec = arrivals.elapsedMs / 1000;
  const changes = holds.succeeded + releases.succeeded;
  return {
    scenario: 'rush',
    correct: (audit?.doubleBookings ?? 0) === 0 && holds.errors === 0 && releases.errors === 0 && tracker.received === tracker.expected,
    targetRate: rate,
    durationSec: opts.durationSec,
    watchers: opts.watchers,
    watching: watched.ok,
    customers: poolSize,
    arrivals: { ...arrivals, noShopper },
    counts: holds,
    releaseCounts: releases,
    throughput: { holdsPerSec: round2(holds.attempted / sec), changesPerSec: round2(changes / sec) },
    latencyMs: { hold: holdMs.summary(), release: releaseMs.summary(), holdToWatcher: tracker.delay.summary() },
    cpuMsPerHold: cpuPerHold,
    events: { expected: tracker.expected, received: tracker.received, unmatched: tracker.unmatched },
    // Frames each watcher received (one Socket.IO message each) and changes per frame.
    frames: { perWatcher: Math.round(framesPerWatcher), changesPerFrame: framesPerWatcher ? round2(changes / framesPerWatcher) : null },
    doubleBookings: audit?.doubleBookings ?? null,
    audit,
    unexpected,
  };
}
