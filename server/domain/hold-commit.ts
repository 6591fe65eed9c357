import type { BeforeCommit, Publisher } from './booking-ports';
import type { SlotStore } from './catalog-ports';
import type { ConsumeResult, HoldPort } from './hold-ports';

/** Named points of a confirm or reschedule where a test-only fault hook may stop the process. */
export type CommitStep = 'before-consume' | 'after-consume' | 'after-commit';
export const COMMIT_STEPS: readonly CommitStep[] = ['before-consume', 'after-consume', 'after-commit'];
/** Test-only: awaited at each step (production passes none). */
export type FaultHook = (step: CommitStep) => Promise<void>;

export type HoldCommit<T> = { ok: true; value: T } | { ok: false; code: 'HOLD_EXPIRED' };

/**
 * The one order confirm and reschedule follow to turn a hold into booked units:
 *   Postgres transaction [reserve key → take units → write booking] → consume the hold in Redis → COMMIT.
 * Postgres is the truth and the consume happens inside its transaction, so a crash at any point
 * leaves either the committed booking (and the hold consumed) or nothing in Postgres. In the second
 * case the hold is either still live (crash before the consume: the same request can be retried)
 * or consumed with Redis counting one unit too many as booked, which the next repair from
 * Postgres after the repair grace (start-up, snapshot reads, the periodic pass) gives back as free.
 * `write` returns its own refusals (capacity, version, duplicate key) without consuming anything.
 */
export async function commitWithHold<T>(deps: {
  holds: HoldPort;
  slots: SlotStore;
  publisher: Publisher;
  faults?: FaultHook;
  workshopId: string;
  holdId: string;
  customerId: string;
  /** Slots whose Redis counters must follow Postgres if the commit's outcome is unknown. */
  touchedSlotIds: string[];
  write: (beforeCommit: BeforeCommit) => Promise<T>;
}): Promise<HoldCommit<T>> {
  const { holds, publisher, faults } = deps;
  let consumed: ConsumeResult | undefined;
  const notConsumed = new Error('hold not consumed');
  let value: T;
  try {
    value = await deps.write(async () => {
      await faults?.('before-consume');
      consumed = await holds.consume(deps.holdId, deps.customerId);
      if (!consumed.ok) throw notConsumed;
      // Published at once, so watchers get this change in seq order; if the COMMIT then fails,
      // the resync below publishes the correction.
      publisher.slotsChanged(consumed.change, 'booked');
      await faults?.('after-consume');
    });
  } catch (err) {
    if (err === notConsumed && consumed && !consumed.ok) {
      if (consumed.code === 'HOLD_EXPIRED') publisher.slotsChanged(consumed.change, 'expired');
      return { ok: false, code: 'HOLD_EXPIRED' };
    }
    // Consumed, then the commit failed or its outcome is unknown: Postgres decides what Redis shows.
    if (consumed?.ok) await resyncSlots(deps, deps.workshopId, deps.touchedSlotIds).catch(() => undefined);
    throw err;
  }
  await faults?.('after-commit');
  return { ok: true, value };
}

/** Overwrites Redis's capacity/booked of these slots with Postgres's, and tells watchers if anything moved. */
export async function resyncSlots(deps: { holds: HoldPort; slots: SlotStore; publisher: Publisher }, workshopId: string, slotIds: string[]) {
  const rows = await deps.slots.byIds([...new Set(slotIds)]);
  const change = await deps.holds.resync(workshopId, rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })));
  if (change.slots.length) deps.publisher.slotsChanged(change, 'resync');
}
