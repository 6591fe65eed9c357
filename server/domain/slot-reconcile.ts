import type { Publisher } from './booking-ports';
import type { SlotStore } from './catalog-ports';
import type { Clock } from './clock';
import type { HoldPort } from './hold-ports';

const DAY = 86_400_000;

/**
 * Puts Redis's slot counters back in line with Postgres (the truth for capacity and booked; Redis
 * keeps its held units). Runs at start-up for every workshop Redis has counters for, and then
 * periodically in every process for the workshops that process saw change since its last pass.
 * Snapshot reads repair the slots they read on their own (availability.ts).
 * Cost per workshop: one indexed query for its upcoming slots and one script that writes only
 * drifted slots; a pass that finds nothing publishes nothing.
 * A slot whose booked count was moved by a consume or a return within the repair grace is left
 * alone (and its workshop kept for the next pass): a Postgres read taken before that confirm's
 * COMMIT would otherwise undo it. So drift left by a crash is repaired at the first pass after the
 * grace, and a repair never races a confirm that is still committing.
 */
export function createSlotReconciler(deps: { slots: SlotStore; holds: HoldPort; publisher: Publisher; clock: Clock; horizonDays: number }) {
  const touched = new Set<string>();

  async function reconcile(workshopId: string): Promise<number> {
    const now = deps.clock.now();
    // From a day back (slots running now, in any time zone) to past the horizon.
    const rows = await deps.slots.list(workshopId, new Date(now - DAY), new Date(now + (deps.horizonDays + 2) * DAY));
    if (!rows.length) return 0;
    const { changes, deferred } = await deps.holds.repair(workshopId, rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })));
    // Drift on a slot that moved moments ago is left for a later pass (its COMMIT may be in flight).
    if (deferred) touched.add(workshopId);
    for (const change of changes) deps.publisher.slotsChanged(change, 'resync');
    return changes.reduce((n, c) => n + c.slots.length, 0);
  }

  async function each(ids: Iterable<string>) {
    let repaired = 0;
    for (const id of ids) repaired += await reconcile(id);
    return repaired;
  }

  return {
    reconcile,
    /** Marks a workshop for the next periodic pass (called for every slot change this process publishes). */
    touch(workshopId: string) {
      touched.add(workshopId);
    },
    /** The workshops touched since the last pass (or deferred by it); returns how many slots were repaired. */
    async reconcileTouched(): Promise<number> {
      const ids = [...touched];
      touched.clear();
      return each(ids);
    },
    /** Every workshop Redis has counters for (start-up). */
    async reconcileAll(): Promise<number> {
      return each(await deps.holds.workshopsWithCounters());
    },
  };
}

export type SlotReconciler = ReturnType<typeof createSlotReconciler>;

/** A publisher that also marks each workshop whose slots changed for the reconciler's next pass. */
export function touchingPublisher(inner: Publisher, touch: (workshopId: string) => void): Publisher {
  return {
    ...inner,
    slotsChanged(change, cause) {
      if (cause !== 'resync') touch(change.workshopId);
      inner.slotsChanged(change, cause);
    },
  };
}
