import type { ChangeCause } from '@shared/availability';
import type { Publisher } from './booking-ports';
import type { SlotStore } from './catalog-ports';
import type { Clock } from './clock';
import type { Change, ExtendOptions, HoldInput, HoldPort, Released, SlotSeed } from './hold-ports';

const DAY = 86_400_000;
/** Slots per resync script call: no one call blocks Redis for long (the store's snapshot chunk). */
export const RESYNC_CHUNK = 500;

/** A slot as Postgres has it: the only shape the live counts are seeded or repaired from. */
export type SlotTruth = { id: string; capacity: number; booked: number };
const seedOf = (r: SlotTruth): SlotSeed => ({ slotId: r.id, capacity: r.capacity, booked: r.booked });

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Live slot counts as one capability: every mutation of the hold store goes through here, and the
 * change it returns is published exactly once, with its cause, before the caller sees the result.
 * No other unit calls `slotsChanged`. Repair from Postgres (the truth for capacity and booked;
 * Redis keeps its held units) lives here too:
 * - `resync` after a commit whose outcome is unknown or a refusal Redis let through;
 * - `scheduleChanged` after a vendor's edit (cause `capacity`, then `schedule` when slots came or went);
 * - `snapshot` reads repair the slots they read;
 * - `reconcile*` at start-up for every workshop with counters, and periodically for the
 *   workshops this process changed since its last pass. A slot whose booked count was moved
 *   within the repair grace is left for a later pass (its COMMIT may be in flight), so a repair
 *   never races a confirm that is still committing.
 */
export interface LiveCountsDeps {
  store: HoldPort;
  /** Snapshot reads through a cheaper reader with the store's semantics (redis/slot-snapshot.ts); the store's otherwise. */
  snapshots?: { snapshot(workshopId: string, seeds: readonly SlotSeed[]): ReturnType<HoldPort['snapshot']> };
  slots: Pick<SlotStore, 'byIds' | 'list' | 'liveIds'>;
  publisher: Pick<Publisher, 'slotsChanged'>;
  clock: Clock;
  horizonDays: number;
}

export function createLiveCounts(deps: LiveCountsDeps) {
  const { store } = deps;
  const snapshots = deps.snapshots ?? store;
  // Seeds per row array: a caller that passes the same (cached) array gets the same seeds, which
  // the snapshot reader may have packed already.
  const seedsByRows = new WeakMap<readonly SlotTruth[], SlotSeed[]>();
  const seedsOf = (rows: readonly SlotTruth[]) => {
    let seeds = seedsByRows.get(rows);
    if (!seeds) seedsByRows.set(rows, (seeds = rows.map(seedOf)));
    return seeds;
  };
  /** Workshops this process changed (or whose repair was deferred) since the last periodic pass. */
  const touched = new Set<string>();

  function publish(change: Change, cause: ChangeCause) {
    if (cause !== 'resync') touched.add(change.workshopId);
    deps.publisher.slotsChanged(change, cause);
  }
  /** Publishes a successful result's change with its cause and hands the result back. */
  function published<R extends { ok: boolean }>(result: R, cause: ChangeCause): R {
    if (result.ok) publish((result as R & { change: Change }).change, cause);
    return result;
  }

  async function resyncRows(workshopId: string, rows: SlotTruth[]): Promise<Change> {
    return store.resync(workshopId, rows.map(seedOf));
  }

  async function reconcile(workshopId: string): Promise<number> {
    const now = deps.clock.now();
    // From a day back (slots running now, in any time zone) to past the horizon.
    const rows = await deps.slots.list(workshopId, new Date(now - DAY), new Date(now + (deps.horizonDays + 2) * DAY));
    if (!rows.length) return 0;
    const { changes, deferred } = await store.repair(workshopId, rows.map(seedOf));
    if (deferred) touched.add(workshopId);
    for (const change of changes) publish(change, 'resync');
    return changes.reduce((n, c) => n + c.slots.length, 0);
  }

  async function each(ids: Iterable<string>) {
    let repaired = 0;
    for (const id of ids) repaired += await reconcile(id);
    return repaired;
  }

  return {
    /**
     * One unit of every slot or none, within the customer's active-hold limit (cause `held`).
     * `seeded: false`: the rows came from a cache, so only their ids go to the store.
     */
    hold: async ({ seeded = true, slots, ...input }: Omit<HoldInput, 'slots' | 'loadSeeds'> & { slots: SlotTruth[] | Array<{ id: string }>; seeded?: boolean }) => {
      const result = await store.hold(
        seeded
          ? { ...input, slots: (slots as SlotTruth[]).map(seedOf) }
          : {
              ...input,
              slots: slots.map((r) => ({ slotId: r.id })),
              // Counters Redis lacks are seeded from rows read now, never from a cache.
              loadSeeds: async (ids) => (await deps.slots.byIds(ids)).filter((r) => r.workshopId === input.workshopId).map(seedOf),
            },
      );
      // A hold taken and given back at once (the customer was refused beside it): both happened.
      if (!result.ok && 'undone' in result && result.undone) {
        const [held, released] = result.undone;
        if (held) publish(held, 'held');
        if (released) publish(released, 'released');
      }
      return published(result, 'held');
    },
    /** Seeds counters Redis lacks from rows just read from Postgres (no change: nothing moved). */
    seedAbsent: (workshopId: string, seeds: SlotSeed[]) => store.seedAbsent(workshopId, seeds),
    /**
     * A catalog change (workshop status, TTL, time zone; service price, options, duration, active;
     * closures, hours): the schedule version moves, so every process's cached hold checks are
     * refused as STALE and re-read.
     */
    catalogChanged: (workshopId: string) => store.bumpSchedule(workshopId),
    /** The owner gives the units back (cause `released`). */
    release: async (holdId: string, customerId: string) => published(await store.release(holdId, customerId), 'released'),
    /** A longer life for the hold; no counts move, but the seq does (cause `extended`). */
    extend: async (holdId: string, customerId: string, opts: ExtendOptions) => published(await store.extend(holdId, customerId, opts), 'extended'),
    /** held → booked (cause `booked`); a hold found expired is released by the consume itself (cause `expired`). */
    async consume(holdId: string, customerId: string) {
      const result = await store.consume(holdId, customerId);
      if (result.ok) publish(result.change, 'booked');
      else if (result.code === 'HOLD_EXPIRED') publish(result.change, 'expired');
      return result;
    },
    /** A booking gave its units back (cause `booking_returned`). */
    async returnBooked(workshopId: string, slotIds: string[]) {
      publish(await store.returnBooked(workshopId, slotIds), 'booking_returned');
    },
    /** Redis's capacity/booked of these slots follow Postgres; published (cause `resync`) if anything moved. */
    async resync(workshopId: string, slotIds: string[]) {
      const change = await resyncRows(workshopId, await deps.slots.byIds([...new Set(slotIds)]));
      if (change.slots.length) publish(change, 'resync');
    },
    /**
     * A schedule edit: `updated` slots changed capacity (cause `capacity`); `reshaped`: slots were
     * created or removed, and the last change goes out as `schedule` so watchers take a new snapshot.
     */
    async scheduleChanged(workshopId: string, { updated, reshaped }: { updated: string[]; reshaped: boolean }) {
      const rows = updated.length ? await deps.slots.byIds(updated) : [];
      if (!rows.length && !reshaped) return;
      // Before any event goes out: a snapshot taken after it must not reuse a cached slot list.
      await store.bumpSchedule(workshopId);
      // In chunks, each its own change published in order; 'schedule' goes last, so the
      // re-snapshot it asks for sees every chunk.
      const parts = chunked(rows, RESYNC_CHUNK);
      if (!parts.length) parts.push([]);
      for (const [i, part] of parts.entries()) {
        publish(await resyncRows(workshopId, part), reshaped && i === parts.length - 1 ? 'schedule' : 'capacity');
      }
    },
    /** Drops counters of slots that have ended or no longer exist. */
    prune: (workshopId: string, now: Date) => store.prune(workshopId, (ids) => deps.slots.liveIds(ids, now)),
    /**
     * The counters of these slots with the matching seq and epoch. Every read is also a repair:
     * counters that drifted from Postgres are corrected in the same script (never within the
     * repair grace), and the corrections are published (cause `resync`) for open screens.
     */
    async snapshot(workshopId: string, rows: readonly SlotTruth[]) {
      const { repaired, ...snap } = await snapshots.snapshot(workshopId, seedsOf(rows));
      for (const change of repaired ?? []) publish(change, 'resync');
      return snap;
    },
    scheduleVersion: (workshopId: string) => store.scheduleVersion(workshopId),
    /** A hold the sweeper released: its change goes out once (cause `expired`). */
    expired(r: Released) {
      publish(r.change, 'expired');
    },
    /** Releases due holds now and publishes each (tests and scripts; servers run the store's sweeper). */
    async sweep(limit?: number): Promise<Released[]> {
      const released = await store.sweep(limit);
      for (const r of released) publish(r.change, 'expired');
      return released;
    },
    findHold: (holdId: string) => store.findHold(holdId),
    activeHolds: (customerId: string) => store.activeHolds(customerId),
    reconcile,
    /** The workshops changed here since the last pass (or deferred by it); returns how many slots were repaired. */
    async reconcileTouched(): Promise<number> {
      const ids = [...touched];
      touched.clear();
      return each(ids);
    },
    /** Every workshop Redis has counters for (start-up). */
    reconcileAll: async (): Promise<number> => each(await store.workshopsWithCounters()),
  };
}

export type LiveCounts = ReturnType<typeof createLiveCounts>;
