import type { AvailabilitySnapshot, SlotView } from '@shared/availability';
import type { Principal } from './actor';
import { MAX_WINDOW_DAYS } from '@shared/schemas/dates';
import type { SlotRow, SlotStore } from './catalog-ports';
import type { Clock } from './clock';
import { DomainError } from './errors';
import type { LiveCounts } from './live-counts';

const DAY = 86_400_000;
const MINUTE = 60_000;
export { MAX_WINDOW_DAYS };

export interface AvailabilityOptions {
  /** Most slots one snapshot carries (MAX_SLOTS_PER_WORKSHOP); a wider window is refused. */
  maxSlots: number;
  /** How long a slot list read from Postgres is reused for the same workshop and window. */
  cacheMs?: number;
  /** Most (workshop, window) lists kept. */
  cacheEntries?: number;
}

type CacheEntry = { version: string; at: number; rows: Promise<SlotRow[]> };

/**
 * Availability = slot times from Postgres + counts from the live store, read in one step.
 *
 * The slot list (the expensive, anonymous part) is cached briefly per workshop and window,
 * keyed by the schedule version: a vendor edit, anywhere, bumps it before its 'schedule' event
 * goes out, so a snapshot taken after that event never sees the old list. Counts, seq and
 * epoch always come fresh from the live store. Concurrent requests share one query.
 */
export function createAvailability(deps: {
  slots: SlotStore;
  live: Pick<LiveCounts, 'snapshot' | 'scheduleVersion'>;
  clock: Clock;
  options: AvailabilityOptions;
  /** NOT_FOUND unless the viewer may see the workshop (catalog.visible). */
  visible: (workshopId: string, viewer: Principal | null) => Promise<unknown>;
}) {
  const { maxSlots, cacheMs = 500, cacheEntries = 200 } = deps.options;
  const cache = new Map<string, CacheEntry>();

  async function slotRows(workshopId: string, start: Date, end: Date): Promise<SlotRow[]> {
    // Whole minutes, so windows that start "now" share an entry; rows are cut to the exact window below.
    const from = Math.floor(start.getTime() / MINUTE) * MINUTE;
    const to = Math.ceil(end.getTime() / MINUTE) * MINUTE;
    const key = `${workshopId}|${from}|${to}`;
    const version = await deps.live.scheduleVersion(workshopId);
    const t = performance.now();
    let entry = cache.get(key);
    if (!entry || entry.version !== version || t - entry.at > cacheMs) {
      // One more than allowed: enough to know the window is too wide without reading all of it.
      entry = { version, at: t, rows: deps.slots.list(workshopId, new Date(from), new Date(to), maxSlots + 1) };
      // Oldest first (entries are re-inserted when refreshed): expired ones go at once, so the
      // cache never holds more than the last cacheMs of distinct windows.
      for (const [k, e] of cache) {
        if (t - e.at <= cacheMs && cache.size < cacheEntries) break;
        cache.delete(k);
      }
      cache.delete(key);
      cache.set(key, entry);
      const mine = entry;
      entry.rows.catch(() => cache.get(key) === mine && cache.delete(key));
    }
    const rows = await entry.rows;
    const s = start.getTime();
    const e = end.getTime();
    return rows.filter((r) => r.startsAt.getTime() >= s && r.startsAt.getTime() < e);
  }

  /** Default window: from now for 7 days; at most 35 days, or VALIDATION_FAILED. */
  function window(from?: string, to?: string) {
    const start = from ? new Date(from) : new Date(deps.clock.now());
    const end = to ? new Date(to) : new Date(start.getTime() + 7 * DAY);
    if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * DAY) {
      throw new DomainError('VALIDATION_FAILED', `A window spans at most ${MAX_WINDOW_DAYS} days`);
    }
    return { start, end: end < start ? start : end };
  }

  async function snapshot(workshopId: string, start: Date, end: Date): Promise<AvailabilitySnapshot> {
    const rows = await slotRows(workshopId, start, end);
    if (rows.length > maxSlots) {
      throw new DomainError('VALIDATION_FAILED', `This window holds more than ${maxSlots} slots; ask for a shorter one`);
    }
    // Slots that have ended can no longer be held: their counts are Postgres's, and their
    // Redis counters are pruned (asking the live store would only re-create them).
    const now = deps.clock.now();
    const current = rows.filter((r) => r.endsAt.getTime() > now);
    // Every read is also a repair (see LiveCounts.snapshot): open screens get the corrections too.
    const live = await deps.live.snapshot(workshopId, current);
    const counts = new Map(live.slots.map((s) => [s.id, s]));
    const slots: SlotView[] = rows.map((r) => {
      const c = counts.get(r.id);
      return {
        id: r.id,
        startsAt: r.startsAt.toISOString(),
        endsAt: r.endsAt.toISOString(),
        capacity: c?.capacity ?? r.capacity,
        booked: c?.booked ?? r.booked,
        held: c?.held ?? 0,
        free: c?.free ?? Math.max(0, r.capacity - r.booked),
      };
    });
    return { workshopId, seq: live.seq, epoch: live.epoch, slots };
  }

  return {
    window,
    snapshot,
    /**
     * Availability as this viewer may see it, the same for HTTP and sockets: NOT_FOUND for a
     * workshop the viewer may not see, VALIDATION_FAILED for a window too wide; `read` takes the
     * snapshot (a socket joins the workshop's room between the two, so no change is lost).
     */
    async forViewer(viewer: Principal | null, workshopId: string, range: { from?: string; to?: string }) {
      await deps.visible(workshopId, viewer);
      const { start, end } = window(range.from, range.to);
      return { read: () => snapshot(workshopId, start, end) };
    },
  };
}

export type Availability = ReturnType<typeof createAvailability>;
