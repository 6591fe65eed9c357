import type { Clock } from './clock';
import type { SlotStore, WorkshopStore } from './catalog-ports';
import { generateSlots } from './slot-generation';
import { planSlotSync } from './slot-sync-plan';

/**
 * Port: told what a regeneration changed, so cached counts and watchers can follow:
 * `updated` changed capacity; `reshaped` is true when slots were created or removed.
 */
export type SlotsChangedHook = (workshopId: string, change: { updated: string[]; reshaped: boolean }) => Promise<void>;

/** Port: drops live counters of slots that have ended or no longer exist (past `now`). */
export type PruneHook = (workshopId: string, now: Date) => Promise<void>;

/**
 * Keeps a workshop's slots in line with its hours, closures and bays over the rolling horizon.
 * Runs inside the vendor's request: the schedule bound (catalog) keeps a workshop to
 * `maxSlots`, and the store applies a plan in a handful of set-based statements, so it is
 * bounded; the caller sees the new slots as soon as it returns.
 */
export function createSlotRegeneration(deps: {
  slots: SlotStore;
  /** Lists the verified workshops whose horizon rolls. */
  workshops: Pick<WorkshopStore, 'search'>;
  clock: Clock;
  horizonDays: number;
  /** Hard cap per workshop: a schedule saved before the bound existed yields only its earliest slots. */
  maxSlots?: number;
  onChanged?: SlotsChangedHook;
  prune?: PruneHook;
}) {
  const { slots, clock, horizonDays } = deps;
  const self = {
    /** `prune`: also drop counters of past slots (the hourly roll); slots removed here are always pruned. */
    async regenerate(workshopId: string, opts: { prune?: boolean } = {}) {
      const now = new Date(clock.now());
      const result = await slots.regenerate(workshopId, now, (schedule, existing) => {
        const desired = generateSlots({ ...schedule, from: now, horizonDays });
        return planSlotSync({
          desired: deps.maxSlots !== undefined && desired.length > deps.maxSlots ? desired.slice(0, deps.maxSlots) : desired,
          capacity: schedule.bays,
          existing,
          now,
        });
      });
      // Withdrawing or reinstating a slot changes what is on offer, like creating or removing one.
      const reshaped = result.created > 0 || result.removed.length > 0 || result.offerChanged;
      if ((reshaped || result.updated.length) && deps.onChanged) await deps.onChanged(workshopId, { updated: result.updated, reshaped });
      if ((opts.prune || result.removed.length > 0) && deps.prune) await deps.prune(workshopId, now);
      return result;
    },

    /** Extends every verified workshop's slots to the rolling horizon (run hourly); returns how many workshops. */
    async rollHorizon(): Promise<number> {
      const list = await deps.workshops.search({ status: 'verified', limit: 100_000 });
      for (const w of list) await self.regenerate(w.id, { prune: true });
      return list.length;
    },
  };
  return self;
}

export type SlotRegeneration = ReturnType<typeof createSlotRegeneration>;
