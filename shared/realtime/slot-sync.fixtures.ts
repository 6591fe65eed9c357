import { expect, vi } from 'vitest';
import type { AvailabilitySnapshot, SlotCounts, SlotsChangedEvent, SlotView } from '@shared/availability';
import { createSlotSync, type SlotSyncOptions, type SlotSyncState } from './slot-sync';

/*
 * A model of one workshop's availability stream on the server, for slot-sync tests: every
 * change bumps seq by exactly 1, a restart starts a new epoch at seq 0. Each change comes
 * as a frame of its own; `coalesce` joins frames as the server's flush does.
 * Test-only; kept beside the tests so both test files share one model of the contract.
 */

export const WORKSHOP_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** The server side of the protocol, in memory. */
export interface FakeAvailabilityServer {
  readonly seq: number;
  readonly epoch: string;
  /** A deep copy, slots in reverse start order to prove the client sorts. */
  snapshot(): AvailabilitySnapshot;
  /** Sets one slot's counts and returns the one-change frame the server would emit. */
  change(slot: number, booked: number, held: number, opts?: { outsideWindow?: boolean }): SlotsChangedEvent;
  /** The vendor changed hours: slot `removeAt` (if given) goes, a new hour is added at the end; cause 'schedule'. */
  reshape(opts?: { removeAt?: number }): SlotsChangedEvent;
  /** A Redis restart: a new counter generation. */
  restart(epoch: string): void;
  /** The slots as a client should see them, sorted by startsAt. */
  expectedSlots(): SlotView[];
}

const HOUR = 3_600_000;
const BASE = Date.UTC(2030, 0, 7, 8);

/** Creates a server with `slotCount` hourly slots of capacity `capacity`, at epoch `epoch`, seq 0. */
export function createFakeServer(slotCount = 3, capacity = 3, epoch = 'epoch-1'): FakeAvailabilityServer {
  let seq = 0;
  let currentEpoch = epoch;
  const slots: SlotView[] = Array.from({ length: slotCount }, (_, i) => ({
    id: `slot-${i}`,
    startsAt: new Date(BASE + i * HOUR).toISOString(),
    endsAt: new Date(BASE + (i + 1) * HOUR).toISOString(),
    capacity,
    booked: 0,
    held: 0,
    free: capacity,
  }));
  const counts = ({ id, capacity: c, booked, held, free }: SlotView): SlotCounts => ({ id, capacity: c, booked, held, free });
  let nextSlot = slotCount;
  return {
    get seq() {
      return seq;
    },
    get epoch() {
      return currentEpoch;
    },
    snapshot: () => structuredClone({ workshopId: WORKSHOP_ID, seq, epoch: currentEpoch, slots: slots.slice().reverse() }),
    change(slot, booked, held, opts = {}) {
      const s = slots[slot % slots.length]!;
      s.booked = Math.min(booked, s.capacity);
      s.held = Math.min(held, s.capacity - s.booked);
      s.free = s.capacity - s.booked - s.held;
      const changed = [counts(s)];
      // A slot the client's window does not include: must be ignored, never invented.
      if (opts.outsideWindow) changed.push({ id: `outside-${seq}`, capacity: 1, booked: 1, held: 0, free: 0 });
      seq += 1;
      return structuredClone({ workshopId: WORKSHOP_ID, epoch: currentEpoch, changes: [{ seq, cause: 'held' as const, slots: changed }] });
    },
    reshape({ removeAt } = {}) {
      if (removeAt !== undefined) slots.splice(removeAt, 1);
      const last = slots.reduce((t, x) => Math.max(t, Date.parse(x.endsAt)), BASE);
      const i = nextSlot++;
      slots.push({ id: `slot-${i}`, startsAt: new Date(last).toISOString(), endsAt: new Date(last + HOUR).toISOString(), capacity, booked: 0, held: 0, free: capacity });
      seq += 1;
      return structuredClone({ workshopId: WORKSHOP_ID, epoch: currentEpoch, changes: [{ seq, cause: 'schedule' as const, slots: [] }] });
    },
    restart(next) {
      currentEpoch = next;
      seq = 0;
    },
    expectedSlots: () => structuredClone(slots),
  };
}

/** One frame of several frames' changes, in the order given (all of one workshop and epoch, as on the server). */
export function coalesce(...frames: SlotsChangedEvent[]): SlotsChangedEvent {
  const [first] = frames;
  if (!first || frames.some((f) => f.epoch !== first.epoch || f.workshopId !== first.workshopId)) throw new Error('a frame never mixes epochs');
  return structuredClone({ workshopId: first.workshopId, epoch: first.epoch, changes: frames.flatMap((f) => f.changes) });
}

/** The seq of a one-change frame. */
export const seqOf = (frame: SlotsChangedEvent) => frame.changes[0]!.seq;

/** A promise with its resolve/reject exposed, to hold a snapshot fetch in flight. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A sync whose fetch answers at once with the server's current snapshot; backoff without jitter. */
export function setup(server: FakeAvailabilityServer, extra: Partial<SlotSyncOptions> = {}) {
  const fetchSnapshot = vi.fn(async (): Promise<AvailabilitySnapshot> => server.snapshot());
  const states: SlotSyncState[] = [];
  const sync = createSlotSync({ fetchSnapshot, onState: (s) => states.push(s), random: () => 1, ...extra });
  return { sync, fetchSnapshot, states };
}

/** The client shows exactly what the server has, and says it is settled. */
export function expectInSync(state: SlotSyncState, server: FakeAvailabilityServer) {
  const { seq, epoch } = server;
  expect(state).toEqual({ workshopId: WORKSHOP_ID, seq, epoch, slots: server.expectedSlots(), syncing: false });
}
