import type { Clock } from './clock';
import type { SlotStore } from './catalog-ports';
import { generateSlots } from './slot-generation';
import { planSlotSync } from './slot-sync-plan';

/** Port: told which slots changed capacity or vanished, so cached counts can follow. */
export type SlotsChangedHook = (workshopId: string, slotIds: string[]) => Promise<void>;

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
      const touched = [...result.updated, ...result.removed];
      if (touched.length && deps.onChanged) await deps.onChanged(workshopId, touched);
      return result;
    },
  };
}

export type SlotRegeneration = ReturnType<typeof createSlotRegeneration>;
