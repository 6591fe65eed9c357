import type { AvailabilitySnapshot, SlotView } from '@shared/availability';
import type { SlotStore } from './catalog-ports';
import type { Clock } from './clock';

export type Seed = { slotId: string; capacity: number; booked: number };
export type LiveSlotCounts = { slotId: string; capacity: number; booked: number; held: number; free: number };
/** A change to live counts, numbered in the workshop's sequence. */
export type LiveChange = { workshopId: string; seq: number; epoch: string; slots: LiveSlotCounts[]; madeAt?: number };

/** Port: live per-slot counts (held units, seq) kept outside Postgres. */
export interface LiveCounts {
  snapshot(workshopId: string, seeds: Seed[]): Promise<{ seq: number; epoch: string; slots: LiveSlotCounts[] }>;
  /** Overwrites capacity/booked from Postgres (keeps held units). */
  resync(workshopId: string, seeds: Seed[]): Promise<LiveChange>;
}

const DAY = 86_400_000;
export const MAX_WINDOW_DAYS = 35;

/** Availability = slot times from Postgres + counts from the live store, read in one step. */
export function createAvailability(deps: { slots: SlotStore; live: LiveCounts; clock: Clock }) {
  return {
    /** Default window: from now for 7 days; at most 35 days. */
    window(from?: string, to?: string) {
      const start = from ? new Date(from) : new Date(deps.clock.now());
      let end = to ? new Date(to) : new Date(start.getTime() + 7 * DAY);
      if (end.getTime() - start.getTime() > MAX_WINDOW_DAYS * DAY) end = new Date(start.getTime() + MAX_WINDOW_DAYS * DAY);
      return { start, end: end < start ? start : end };
    },

    async snapshot(workshopId: string, start: Date, end: Date): Promise<AvailabilitySnapshot> {
      const rows = await deps.slots.list(workshopId, start, end);
      const live = await deps.live.snapshot(
        workshopId,
        rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })),
      );
      const counts = new Map(live.slots.map((s) => [s.slotId, s]));
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
    },
  };
}

export type Availability = ReturnType<typeof createAvailability>;
