import { performance } from 'node:perf_hooks';
import { auditCapacity } from '../db-check';
import { createWorkshops, registerCustomers } from '../../../server/test/fixtures/bench';
import { inBatches } from '../http';
import { progress, sleep } from '../log';
import { newCounts, Samples, type LatencySummary } from '../stats';
import { DeliveryTracker, WatcherPool } from '../watchers';
import type { ScenarioContext, ScenarioResult } from '../context';

export interface FanoutMeasure {
  watchers: number;
  connected: number;
  watching: number;
  holds: ReturnType<typeof newCounts>;
  holdMs: LatencySummary;
  watchAckMs: LatencySummary;
  delivery: LatencySummary;
  events: { expected: number; received: number; unmatched: number };
  workshopId: string;
}

/** Paces changes so each fan-out finishes before the next; more watchers need more time per emit. */
export const fanoutPacing = (watchers: number, opts: { fanoutHolds?: number; fanoutIntervalMs?: number } = {}) => ({
  holds: opts.fanoutHolds ?? (watchers > 2000 ? 20 : 40),
  intervalMs: opts.fanoutIntervalMs ?? (watchers > 2000 ? 1000 : 200),
  /** Unmeasured changes first, so neither side's JIT is cold for the measured ones. */
  warmup: opts.fanoutHolds !== undefined && opts.fanoutHolds < 10 ? 0 : 5,
});

/**
 * `watchers` sockets watch one workshop; `holds` holds on distinct slots, one every intervalMs;
 * every watcher should get one `slots:changed` (cause held) per hold. Delay = hold sent → event in.
 */
export async function measureFanout(ctx: ScenarioContext, watchers: number, pacing = fanoutPacing(watchers, ctx.opts)): Promise<FanoutMeasure> {
  const { http } = ctx;
  const [workshop] = await createWorkshops(http, ctx.admin, 1, { bays: 1 });
  const slots = workshop!.slots.slice(0, pacing.holds);
  const warmSlots = workshop!.slots.slice(pacing.holds, pacing.holds + pacing.warmup);
  const customers = await registerCustomers(http, Math.ceil((pacing.holds + pacing.warmup) / 3));
  const pool = new WatcherPool(http.urls);
  const tracker = new DeliveryTracker();
  pool.onSlotsChanged(tracker.onEvent);
  try {
    await pool.connect(watchers);
    // Watch only the window the holds fall in: 10,000 full snapshots would measure the snapshot, not the fan-out.
    const last = warmSlots[warmSlots.length - 1] ?? slots[slots.length - 1]!;
    const window = { from: slots[0]!.startsAt, to: last.endsAt };
    const w = await pool.watch(workshop!.id, window);
    progress(`${w.ok}/${watchers} watching workshop ${workshop!.id.slice(0, 8)} (ack p95 ${w.ackMs.summary().p95} ms)`);
    const holds = newCounts();
    const holdMs = new Samples();
    const holdIds: { id: string; token: string }[] = [];
    tracker.enabled = false;
    for (const [k, slot] of warmSlots.entries()) {
      const customer = customers[Math.floor((pacing.holds + k) / 3)]!;
      const r = await http.post('/api/holds', { workshopId: workshop!.id, serviceId: workshop!.serviceId, slotId: slot.id }, customer.token);
      if (r.status === 201) holdIds.push({ id: r.body.hold.id, token: customer.token });
      await sleep(pacing.intervalMs);
    }
    tracker.enabled = true;
    const t0 = performance.now();
    await Promise.all(
      slots.map(async (slot, k) => {
        await sleep(Math.max(0, t0 + k * pacing.intervalMs - performance.now()));
        const customer = customers[Math.floor(k / 3)]!;
        holds.attempted++;
        const sentAt = tracker.sending(slot.id);
        const r = await http.post('/api/holds', { workshopId: workshop!.id, serviceId: workshop!.serviceId, slotId: slot.id }, customer.token);
        holdMs.add(r.ms);
        if (r.status === 201) {
          holds.succeeded++;
          tracker.succeeded(w.ok);
          holdIds.push({ id: r.body.hold.id, token: customer.token });
        } else {
          tracker.failed(slot.id, sentAt);
          if (r.status === 409) holds.conflicts++;
          else holds.errors++;
        }
      }),
    );
    const deadline = Date.now() + 20_000;
    while (tracker.received < tracker.expected && Date.now() < deadline) await sleep(50);
    const result: FanoutMeasure = {
      watchers,
      connected: watchers - pool.connectErrors,
      watching: w.ok,
      holds,
      holdMs: holdMs.summary(),
      watchAckMs: w.ackMs.summary(),
      delivery: tracker.delay.summary(),
      events: { expected: tracker.expected, received: tracker.received, unmatched: tracker.unmatched },
      workshopId: workshop!.id,
    };
    // Give the units back (the release events are not measured).
    await inBatches(holdIds, 8, (h) => http.del(`/api/holds/${h.id}`, h.token));
    return result;
  } finally {
    pool.close();
  }
}

export async function fanoutScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  if (!ctx.realtime) {
    return { scenario: 'fanout', correct: false, doubleBookings: null, skipped: 'the server has no Socket.IO endpoint yet (server/realtime not wired into server/runtime.ts)' };
  }
  const m = await measureFanout(ctx, ctx.opts.watchers);
  const audit = ctx.target.databaseUrl ? await auditCapacity(ctx.target.databaseUrl, [m.workshopId]) : null;
  return {
    scenario: 'fanout',
    correct: m.watching === ctx.opts.watchers && m.events.received === m.events.expected && m.holds.errors === 0 && (audit?.doubleBookings ?? 0) === 0,
    watchers: m.watchers,
    connected: m.connected,
    watching: m.watching,
    counts: m.holds,
    latencyMs: { hold: m.holdMs, watchAck: m.watchAckMs, holdToWatcher: m.delivery },
    events: m.events,
    doubleBookings: audit?.doubleBookings ?? null,
  };
}
