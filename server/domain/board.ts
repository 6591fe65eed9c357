import type { BoardSnapshot, BoardWorkshopRow } from '@shared/realtime/events';
import type { BoardCounters, BoardFacts, BoardHolds, BoardPresence, CounterBucket } from './board-ports';
import type { Clock } from './clock';

/*
 * The admin live board: one snapshot of every verified workshop plus
 * marketplace totals. Pure aggregation over ports, so any process computes the same
 * board from the shared stores.
 */

/**
 * Upper bounds (ms) of the change→emit delay histogram. Counters from every process are
 * summed per bin in Redis, so the p95 is an upper bound read off the merged histogram,
 * exact to the bin width — percentiles of separate processes cannot be merged otherwise.
 */
export const DELAY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** The histogram bin a delay falls into (the last bin collects everything above 5 s). */
export function delayBin(ms: number): number {
  const i = DELAY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i === -1 ? DELAY_BOUNDS_MS.length : i;
}

/** 95th percentile of a binned histogram: the upper bound of the bin holding it; null without samples. */
export function p95(bins: number[]): number | null {
  const total = bins.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(total * 0.95);
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i] ?? 0;
    // Above the last bound there is no upper edge: report twice the last bound as "at least".
    if (seen >= rank) return DELAY_BOUNDS_MS[i] ?? DELAY_BOUNDS_MS[DELAY_BOUNDS_MS.length - 1]! * 2;
  }
  return null;
}

const MINUTE = 60_000;
const CONVERSION_WINDOW = 15 * MINUTE;

function sum(buckets: CounterBucket[]) {
  const delay = new Array<number>(DELAY_BOUNDS_MS.length + 1).fill(0);
  let holds = 0;
  let bookings = 0;
  for (const b of buckets) {
    holds += b.holds;
    bookings += b.bookings;
    b.delayBins.forEach((n, i) => (delay[i] = (delay[i] ?? 0) + n));
  }
  return { holds, bookings, delay };
}

// Busy workshops first: with a row limit, the quiet ones are the ones to drop.
const activity = (r: BoardWorkshopRow) => r.activeHolds + r.pendingRequests + r.watchers + r.bookingsToday;

export interface BoardDeps {
  facts: BoardFacts;
  holds: BoardHolds;
  presence: BoardPresence;
  counters: BoardCounters;
  clock: Clock;
  /** Rows kept (busiest first); the payload goes to every admin twice a second. Default 500. */
  maxRows?: number;
}

/** Builds board snapshots from the shared stores. */
export function createBoard(deps: BoardDeps) {
  const maxRows = deps.maxRows ?? 500;
  return {
    async snapshot(): Promise<BoardSnapshot> {
      const now = deps.clock.now();
      const [facts, presence, buckets] = await Promise.all([
        deps.facts.workshops(new Date(now)),
        deps.presence.read(),
        deps.counters.buckets(now, CONVERSION_WINDOW),
      ]);
      const holds = await deps.holds.activeHolds(facts.map((f) => f.workshopId));
      const rows: BoardWorkshopRow[] = facts.map((f) => ({
        workshopId: f.workshopId,
        name: f.name,
        city: f.city,
        activeHolds: holds.get(f.workshopId) ?? 0,
        pendingRequests: f.pendingRequests,
        oldestPendingAgeSec: f.oldestPendingAt ? Math.max(0, Math.floor((now - f.oldestPendingAt.getTime()) / 1000)) : null,
        bookingsToday: f.bookingsToday,
        watchers: presence.watchers.get(f.workshopId) ?? 0,
      }));
      rows.sort((a, b) => activity(b) - activity(a) || a.name.localeCompare(b.name) || a.workshopId.localeCompare(b.workshopId));

      const lastMinute = sum(buckets.filter((b) => b.start > now - MINUTE));
      const fifteen = sum(buckets);
      return {
        at: new Date(now).toISOString(),
        workshops: rows.slice(0, maxRows),
        totals: {
          holdsPerMin: lastMinute.holds,
          bookingsPerMin: lastMinute.bookings,
          // Bookings confirm holds made earlier, possibly before the window: never show above 100 %.
          conversion15m: fifteen.holds > 0 ? Math.min(1, fifteen.bookings / fifteen.holds) : null,
          connectedSockets: presence.sockets,
          holdToBroadcastP95Ms: p95(lastMinute.delay),
        },
      };
    },
  };
}

export type Board = ReturnType<typeof createBoard>;
