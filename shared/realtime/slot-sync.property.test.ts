import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { AvailabilitySnapshot } from '@shared/availability';
import { createSlotSync } from './slot-sync';
import { coalesce, createFakeServer, expectInSync } from './slot-sync.fixtures';

/*
 * Random histories through a lossy, reordering, duplicating network: whatever happens on
 * the way, once the gap timeouts have run the client must show exactly the server's final
 * state. Changes travel in frames of one to four (the server's coalescing), so a loss takes
 * a whole frame and a reorder moves one. Time is fake: emissions, deliveries and fetch
 * latencies are all timers.
 */

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const GAP_MS = 250;
const MAX_DELAY_MS = 200; // below GAP_MS: a mere reorder must never cost a snapshot

const changeArb = fc.record({
  slot: fc.nat({ max: 7 }),
  booked: fc.nat({ max: 4 }),
  held: fc.nat({ max: 4 }),
  outsideWindow: fc.boolean(),
});

const frameArb = fc.record({
  changes: fc.array(changeArb, { minLength: 1, maxLength: 4 }),
  afterMs: fc.nat({ max: 60 }), // since the previous change
  delayMs: fc.nat({ max: MAX_DELAY_MS }),
  lost: fc.nat({ max: 5 }).map((n) => n === 0),
  duplicateDelayMs: fc.option(fc.nat({ max: 3 * MAX_DELAY_MS })),
  restartBefore: fc.nat({ max: 15 }).map((n) => n === 0), // a Redis restart: new epoch, seq 0
});

const scenarioArb = fc.record({
  slotCount: fc.integer({ min: 1, max: 5 }),
  frames: fc.array(frameArb, { minLength: 1, maxLength: 30 }),
  fetchLatencyMs: fc.array(fc.nat({ max: 150 }), { minLength: 1, maxLength: 5 }),
  failingFetches: fc.array(fc.boolean(), { maxLength: 4 }),
});

it('converges to the server state under loss, reorder, duplicates and restarts', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ slotCount, frames, fetchLatencyMs, failingFetches }) => {
      vi.clearAllTimers();
      const server = createFakeServer(slotCount);
      let fetches = 0;
      // The snapshot is read when the request arrives and answered after a latency; some fail.
      const fetchSnapshot = () => {
        const n = fetches++;
        const snap = server.snapshot();
        const fails = failingFetches[n] ?? false;
        return new Promise<AvailabilitySnapshot>((resolve, reject) =>
          setTimeout(() => (fails ? reject(new Error('fetch failed')) : resolve(snap)), fetchLatencyMs[n % fetchLatencyMs.length]),
        );
      };
      const sync = createSlotSync({ fetchSnapshot, gapTimeoutMs: GAP_MS, random: () => 0.5 });
      void sync.start();

      // The last frame always arrives: a lost final frame is undetectable without a later one.
      const history = frames.map((f, i) => (i === frames.length - 1 ? { ...f, lost: false } : f));
      let at = 0;
      let epochs = 1;
      for (const f of history) {
        at += f.afterMs;
        setTimeout(() => {
          // A restart falls between frames: one frame never mixes epochs.
          if (f.restartBefore) server.restart(`epoch-${++epochs}`);
          const e = coalesce(...f.changes.map((c) => server.change(c.slot, c.booked, c.held, { outsideWindow: c.outsideWindow })));
          if (!f.lost) setTimeout(() => sync.apply(structuredClone(e)), f.delayMs);
          if (f.duplicateDelayMs !== null) setTimeout(() => sync.apply(structuredClone(e)), f.duplicateDelayMs);
        }, at);
      }
      // Enough for every delivery, every gap timeout, and the capped backoff of the failures.
      await vi.advanceTimersByTimeAsync(at + 60_000);

      expectInSync(sync.state, server);
      // Reorders within the window, duplicates and failed fetches never cost an extra snapshot.
      if (history.every((f) => !f.lost && !f.restartBefore)) expect(sync.stats.snapshots).toBe(1);
      sync.stop();
      expect(vi.getTimerCount()).toBe(0);
    }),
    { numRuns: 300 },
  );
});
