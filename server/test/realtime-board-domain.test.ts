import { describe, expect, it } from 'vitest';
import { createBoard, DELAY_BOUNDS_MS, delayBin, p95 } from '../domain/board';
import type { BoardWorkshopFacts, CounterBucket } from '../domain/board-ports';
import { manualClock } from '../domain/clock';

/* The board's aggregation, without stores: ports are plain fakes. */

const bins = (counts: Record<number, number>) => Array.from({ length: DELAY_BOUNDS_MS.length + 1 }, (_, i) => counts[i] ?? 0);

describe('delay histogram', () => {
  it('bins by upper bound and reads p95 off the merged bins', () => {
    expect(delayBin(0.2)).toBe(0);
    expect(delayBin(1)).toBe(0);
    expect(delayBin(1.01)).toBe(1);
    expect(delayBin(99_999)).toBe(DELAY_BOUNDS_MS.length);
    expect(p95(bins({}))).toBeNull();
    expect(p95(bins({ 0: 95, 6: 5 }))).toBe(1); // exactly 95 % at ≤ 1 ms
    expect(p95(bins({ 0: 94, 6: 6 }))).toBe(100);
    expect(p95(bins({ [DELAY_BOUNDS_MS.length]: 1 }))).toBe(10_000); // "above 5 s"
  });
});

describe('createBoard', () => {
  const clock = manualClock(Date.parse('2030-03-01T12:00:00Z'));
  const now = clock.now();
  const fact = (id: string, name: string, extra: Partial<BoardWorkshopFacts> = {}): BoardWorkshopFacts => ({
    workshopId: id, name, city: 'Leeds', pendingRequests: 0, oldestPendingAt: null, bookingsToday: 0, ...extra,
  });
  const bucket = (agoMs: number, holds: number, bookings: number, delay: Record<number, number> = {}): CounterBucket => ({
    start: now - agoMs, holds, bookings, delayBins: bins(delay),
  });
  const board = (opts: { maxRows?: number } = {}) =>
    createBoard({
      clock,
      maxRows: opts.maxRows,
      facts: { workshops: async () => [fact('w1', 'Quiet'), fact('w2', 'Busy', { pendingRequests: 2, oldestPendingAt: new Date(now - 90_500), bookingsToday: 3 }), fact('w3', 'Alpha')] },
      holds: { activeHolds: async (ids) => new Map(ids.map((id) => [id, id === 'w2' ? 4 : 0])) },
      presence: { read: async () => ({ sockets: 7, admins: 1, watchers: new Map([['w3', 5]]) }) },
      counters: { buckets: async () => [bucket(10 * 60_000, 10, 5), bucket(30_000, 3, 1, { 2: 19, 7: 1 }), bucket(5_000, 1, 0, { 2: 1 })] },
    });

  it('merges the ports into rows (busiest first) and totals', async () => {
    const s = await board().snapshot();
    expect(s.at).toBe('2030-03-01T12:00:00.000Z');
    expect(s.workshops.map((w) => w.workshopId)).toEqual(['w2', 'w3', 'w1']);
    expect(s.workshops[0]).toEqual({ workshopId: 'w2', name: 'Busy', city: 'Leeds', activeHolds: 4, pendingRequests: 2, oldestPendingAgeSec: 90, bookingsToday: 3, watchers: 0 });
    expect(s.workshops[1]).toMatchObject({ watchers: 5, oldestPendingAgeSec: null });
    // Last minute: the two recent buckets; 15 minutes: all three.
    expect(s.totals).toEqual({ holdsPerMin: 4, bookingsPerMin: 1, conversion15m: 6 / 14, connectedSockets: 7, holdToBroadcastP95Ms: 5 });
  });

  it('keeps the busiest rows when there are more than maxRows', async () => {
    const s = await board({ maxRows: 1 }).snapshot();
    expect(s.workshops.map((w) => w.workshopId)).toEqual(['w2']);
  });
});
