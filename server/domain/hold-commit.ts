import type { BeforeCommit } from './booking-ports';
import type { LiveCounts } from './live-counts';

/** Named points of a confirm or reschedule where a test-only fault hook may stop the process. */
export type CommitStep = 'before-consume' | 'after-consume' | 'after-commit';
export const COMMIT_STEPS: readonly CommitStep[] = ['before-consume', 'after-consume', 'after-commit'];
/** Test-only: awaited at each step (production passes none). */
export type FaultHook = (step: CommitStep) => Promise<void>;

export type HoldCommit<T> = { ok: true; value: T } | { ok: false; code: 'HOLD_EXPIRED' };

type Saga = { live: LiveCounts; faults?: FaultHook; workshopId: string; holdId: string; customerId: string };

/**
 * The one booking saga confirm and reschedule (and later paid confirms) follow to turn a hold into
 * booked units:
 *   Postgres transaction [reserve key → take units → write booking] → consume the hold in Redis → COMMIT.
 * Postgres is the truth and the consume happens inside its transaction, so a crash at any point
 * leaves either the committed booking (and the hold consumed) or nothing in Postgres. In the second
 * case the hold is either still live (crash before the consume: the same request can be retried)
 * or consumed with Redis counting one unit too many as booked, which the next repair from
 * Postgres after the repair grace (start-up, snapshot reads, the periodic pass) gives back as free.
 * `write` returns its own refusals (capacity, version, duplicate key) without consuming anything;
 * a capacity refusal is then answered with `giveBackRefused`.
 */
export async function commitWithHold<T>(deps: Saga & {
  /** Slots whose Redis counters must follow Postgres if the commit's outcome is unknown. */
  touchedSlotIds: string[];
  write: (beforeCommit: BeforeCommit) => Promise<T>;
}): Promise<HoldCommit<T>> {
  const { live, faults } = deps;
  let consumed: Awaited<ReturnType<LiveCounts['consume']>> | undefined;
  const notConsumed = new Error('hold not consumed');
  let value: T;
  try {
    value = await deps.write(async () => {
      await faults?.('before-consume');
      // Published at once (cause `booked`), so watchers get this change in seq order; if the
      // COMMIT then fails, the resync below publishes the correction.
      consumed = await live.consume(deps.holdId, deps.customerId);
      if (!consumed.ok) throw notConsumed;
      await faults?.('after-consume');
    });
  } catch (err) {
    if (err === notConsumed && consumed && !consumed.ok) return { ok: false, code: 'HOLD_EXPIRED' };
    // Consumed, then the commit failed or its outcome is unknown: Postgres decides what Redis shows.
    if (consumed?.ok) await live.resync(deps.workshopId, deps.touchedSlotIds).catch(() => undefined);
    throw err;
  }
  await faults?.('after-commit');
  return { ok: true, value };
}

/**
 * Postgres refused a unit Redis let through (`write` answered CAPACITY, nothing consumed).
 * `gone`: the hold no longer exists — a twin request consumed it and may be committing right now,
 * so nothing is touched (a repair now could undo its commit) and the answer is the one for any used
 * hold. Otherwise Redis was wrong: the hold cannot be honoured, its units go back and the slots'
 * counters follow Postgres.
 */
export async function giveBackRefused(deps: Saga & { slotIds: string[] }): Promise<'gone' | 'given-back'> {
  if (!(await deps.live.findHold(deps.holdId))) return 'gone';
  await deps.live.release(deps.holdId, deps.customerId);
  await deps.live.resync(deps.workshopId, deps.slotIds);
  return 'given-back';
}
