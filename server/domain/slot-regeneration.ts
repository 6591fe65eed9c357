import type { Clock } from './clock';
import type { SlotStore } from './catalog-ports';
import { generateSlots } from './slot-generation';
import { planSlotSync } from './slot-sync-plan';

/**
 * Port: told what a regeneration changed, so cached counts and watchers can follow:
 * `updated` changed capacity; `reshaped` is true when slots were created or removed.
 */
export type SlotsChangedHook = (workshopId: string, change: { updated: string[]; reshaped: boolean }) => Promise<void>;

/** Keeps a workshop's slots in line with its hours, closures and bays over the rolling horizon. */
export function createSlotRegeneration(deps: { slots: SlotStore; clock: Clock; horizonDays: number; onChanged?: SlotsChangedHook }) {
  const { slots, clock, horizonDays } = deps;
  return {
    async regenerate(workshopId: string) {
      const now = new Date(clock.now());
      const result = await slots.regenerate(workshopId, now, (schedule, existing) =>
        planSlotSync({
          desired: generateSlots({ ...schedule, from: now, horizonDays }),
          capacity: schedule.bays,
          existing,
          now,
        }),
      );
      // Withdrawing or reinstating a slot changes what is on offer, like creating or removing one.
      const reshaped = result.created > 0 || result.removed.length > 0 || result.offerChanged;
      if ((reshaped || result.updated.length) && deps.onChanged) await deps.onChanged(workshopId, { updated: result.updated, reshaped });
      return result;
    },
  };
}

export type SlotRegeneration = ReturnType<typeof createSlotRegeneration>;
