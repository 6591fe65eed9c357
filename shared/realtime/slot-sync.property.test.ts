import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { AvailabilitySnapshot } from '@shared/availability';
import { createSlotSync } from './slot-sync';
import { createFakeServer, expectInSync } from './slot-sync.fixtures';

/*
 * Random histories through a lossy, reordering, duplicating network: whatever happens on
 * the way, once the gap timeouts have run the client must show exactly the server's final
 * state. Time is fake: emissions, deliveries and fetch latencies are all timers.
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
  afterMs: fc.nat({ max: 60 }), // since the previous change
  delayMs: fc.nat({ max: MAX_DELAY_MS }),
  lost: fc.nat({ max: 5 }).map((n) => n === 0),
  duplicateDelayMs: fc.option(fc.nat({ max: 3 * MAX_DELAY_MS })),
  restartBefore: fc.nat({ max: 15 }).map((n) => n === 0), // a Redis restart: new epoch, seq 0
});

const scenarioArb = fc.record({
  slotCount: fc.integer({ min: 1, max: 5 }),
  changes: fc.array(changeArb, { minLength: 1, maxLength: 40 }),
  fetchLatencyMs: fc.array(fc.nat({ max: 150 }), { minLength: 1, maxLength: 5 }),
  failingFetches: fc.array(fc.boolean(), { maxLength: 4 }),
});

it('converges to the server state under loss, reorder, duplicates and restarts', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ slotCount, changes, fetchLatencyMs, failingFetches }) => {
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

      // The last change always arrives: a lost final event is undetectable without a later one.
      const history = changes.map((c, i) => (i === changes.length - 1 ? { ...c, lost: false } : c));
      let at = 0;
      let epochs = 1;
      for (const c of history) {
        at += c.afterMs;
        setTimeout(() => {
          if (c.restartBefore) server.restart(`epoch-${++epochs}`);
          const e = server.change(c.slot, c.booked, c.held, { outsideWindow: c.outsideWindow });
          if (!c.lost) setTimeout(() => sync.apply(structuredClone(e)), c.delayMs);
          if (c.duplicateDelayMs !== null) setTimeout(() => sync.apply(structuredClone(e)), c.duplicateDelayMs);
        }, at);
      }
      // Enough for every delivery, every gap timeout, and the capped backoff of the failures.
      await vi.advanceTimersByTimeAsync(at + 60_000);

      expectInSync(sync.state, server);
      // Reorders within the window, duplicates and failed fetches never cost an extra snapshot.
      if (history.every((c) => !c.lost && !c.restartBefore)) expect(sync.stats.snapshots).toBe(1);
      sync.stop();
      expect(vi.getTimerCount()).toBe(0);
    }),
    { numRuns: 300 },
  );
});
