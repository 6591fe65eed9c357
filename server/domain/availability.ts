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
  /** How long a slot list read from Postgres (and a viewer's permission to see the workshop) is reused. */
  cacheMs?: number;
  /** Most (workshop, window) lists kept. */
  cacheEntries?: number;
}

/**
 * A cached slot list with what every read of it needs ready-made: start/end instants as numbers
 * and ISO strings, and (built on first use) each slot's JSON head. Times never change within an
 * entry; only counts are read per request.
 */
interface SlotList {
  rows: SlotRow[];
  startMs: number[];
  endMs: number[];
  startsAt: string[];
  endsAt: string[];
  heads?: string[];
  /** The last `current` cut handed to the live store, reused while it is the same (see read). */
  current?: { key: string; rows: SlotRow[] };
  /** The last JSON body built from this list, for the same cut, seq, epoch and count objects. */
  body?: { cut: string; seq: number; epoch: string; live: readonly object[]; text: string };
}
type CacheEntry = { version: string; at: number; list: Promise<SlotList> };

function slotList(rows: SlotRow[]): SlotList {
  return {
    rows,
    startMs: rows.map((r) => r.startsAt.getTime()),
    endMs: rows.map((r) => r.endsAt.getTime()),
    startsAt: rows.map((r) => r.startsAt.toISOString()),
    endsAt: rows.map((r) => r.endsAt.toISOString()),
  };
}

/** `{"id":…,"startsAt":…,"endsAt":…,"capacity":`: the part of a slot's JSON that only a schedule change alters. */
const headsOf = (l: SlotList) =>
  (l.heads ??= l.rows.map((r, i) => `{"id":${JSON.stringify(r.id)},"startsAt":"${l.startsAt[i]}","endsAt":"${l.endsAt[i]}","capacity":`));

const sameObjects = (a: readonly object[], b: readonly object[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** First index whose value is >= t (values ascending). */
function lowerBound(values: number[], t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

declare const jsonOf: unique symbol;
/** JSON text of a T, built by hand where stringifying the object would cost too much (typed, so routes can declare it). */
export type JsonText<T> = string & { readonly [jsonOf]: T };

type Counts = Pick<SlotView, 'capacity' | 'booked' | 'held' | 'free'>;

/**
 * Availability = slot times from Postgres + counts from the live store, read in one step.
 *
 * The slot list (the expensive, anonymous part) is cached briefly per workshop and window,
 * keyed by the schedule version: a vendor edit, anywhere, bumps it before its 'schedule' event
 * goes out, so a snapshot taken after that event never sees the old list. Counts, seq and
 * epoch always come fresh from the live store. Concurrent requests share one query. A viewer's
 * permission to see a workshop is reused for as long (a suspension shows within `cacheMs`).
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
  /** `${workshopId}|${viewer}` → when the viewer was last allowed to see it (only successes are kept). */
  const allowed = new Map<string, number>();

  /** Oldest first (entries are re-inserted when refreshed): expired ones go, and at most `cacheEntries` stay. */
  function evict<V>(m: Map<string, V>, t: number, at: (v: V) => number) {
    for (const [k, v] of m) {
      if (t - at(v) <= cacheMs && m.size < cacheEntries) break;
      m.delete(k);
    }
  }

  async function visible(workshopId: string, viewer: Principal | null) {
    const key = `${workshopId}|${viewer ? `${viewer.role}:${viewer.id}` : '-'}`;
    const t = performance.now();
    const seen = allowed.get(key);
    if (seen !== undefined && t - seen <= cacheMs) return;
    await deps.visible(workshopId, viewer);
    evict(allowed, t, (v) => v);
    allowed.delete(key);
    allowed.set(key, t);
  }

  async function cachedList(workshopId: string, start: Date, end: Date): Promise<SlotList> {
    // Whole minutes, so windows that start "now" share an entry; rows are cut to the exact window below.
    const from = Math.floor(start.getTime() / MINUTE) * MINUTE;
    const to = Math.ceil(end.getTime() / MINUTE) * MINUTE;
    const key = `${workshopId}|${from}|${to}`;
    const version = await deps.live.scheduleVersion(workshopId);
    const t = performance.now();
    let entry = cache.get(key);
    if (!entry || entry.version !== version || t - entry.at > cacheMs) {
      // One more than allowed: enough to know the window is too wide without reading all of it.
      entry = { version, at: t, list: deps.slots.list(workshopId, new Date(from), new Date(to), maxSlots + 1).then(slotList) };
      evict(cache, t, (e) => e.at);
      cache.delete(key);
      cache.set(key, entry);
      const mine = entry;
      entry.list.catch(() => cache.get(key) === mine && cache.delete(key));
    }
    return entry.list;
  }

  /**
   * The rows of the exact window (indexes lo..hi of the cached list, in start order) and the
   * counts of each: live ones for slots still running or to come, Postgres's for ended ones.
   */
  async function read(workshopId: string, start: Date, end: Date) {
    const list = await cachedList(workshopId, start, end);
    const lo = lowerBound(list.startMs, start.getTime());
    const hi = lowerBound(list.startMs, end.getTime());
    if (hi - lo > maxSlots) {
      throw new DomainError('VALIDATION_FAILED', `This window holds more than ${maxSlots} slots; ask for a shorter one`);
    }
    // Slots that have ended can no longer be held: their counts are Postgres's, and their
    // Redis counters are pruned (asking the live store would only re-create them).
    const now = deps.clock.now();
    let running = 0;
    for (let i = lo; i < hi; i++) if (list.endMs[i]! > now) running++;
    // Which slots of lo..hi are still running only shrinks as time passes, so their number names
    // the set: the same array goes to the live store, which then reuses its packed seeds.
    const cut = `${lo}|${hi}|${running}`;
    if (list.current?.key !== cut) {
      const rows: SlotRow[] = [];
      for (let i = lo; i < hi; i++) if (list.endMs[i]! > now) rows.push(list.rows[i]!);
      list.current = { key: cut, rows };
    }
    const current = list.current.rows;
    // Every read is also a repair (see LiveCounts.snapshot): open screens get the corrections too.
    const live = await deps.live.snapshot(workshopId, current);
    // The live store answers in the order it was asked; a map only if it ever does not.
    const inOrder = live.slots.length === current.length && live.slots.every((c, j) => c.id === current[j]!.id);
    const byId = inOrder ? null : new Map(live.slots.map((c) => [c.id, c]));
    let j = 0;
    const counts = (i: number): Counts => {
      const r = list.rows[i]!;
      let c: Counts | undefined;
      if (list.endMs[i]! > now) c = byId ? byId.get(r.id) : live.slots[j++];
      return c ?? { capacity: r.capacity, booked: r.booked, held: 0, free: Math.max(0, r.capacity - r.booked) };
    };
    return { list, lo, hi, cut, liveSlots: live.slots, seq: live.seq, epoch: live.epoch, counts };
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
    const { list, lo, hi, seq, epoch, counts } = await read(workshopId, start, end);
    const slots: SlotView[] = [];
    for (let i = lo; i < hi; i++) {
      const c = counts(i);
      slots.push({ id: list.rows[i]!.id, startsAt: list.startsAt[i]!, endsAt: list.endsAt[i]!, capacity: c.capacity, booked: c.booked, held: c.held, free: c.free });
    }
    return { workshopId, seq, epoch, slots };
  }

  /**
   * The same snapshot as JSON text (what HTTP sends): the slots' cached heads plus their counts,
   * without building and stringifying ~330 objects per read.
   */
  async function snapshotJson(workshopId: string, start: Date, end: Date): Promise<JsonText<AvailabilitySnapshot>> {
    const { list, lo, hi, cut, liveSlots, seq, epoch, counts } = await read(workshopId, start, end);
    // The live store answers with the very same count objects when nothing changed since its last
    // read of this list (redis/slot-snapshot.ts): then the body is the last one, byte for byte.
    const last = list.body;
    if (last && last.cut === cut && last.seq === seq && last.epoch === epoch && sameObjects(last.live, liveSlots)) return last.text as JsonText<AvailabilitySnapshot>;
    const heads = headsOf(list);
    let out = `{"workshopId":${JSON.stringify(workshopId)},"seq":${seq},"epoch":${JSON.stringify(epoch)},"slots":[`;
    for (let i = lo; i < hi; i++) {
      const c = counts(i);
      out += `${i > lo ? ',' : ''}${heads[i]}${c.capacity},"booked":${c.booked},"held":${c.held},"free":${c.free}}`;
    }
    const text = `${out}]}`;
    list.body = { cut, seq, epoch, live: liveSlots, text };
    return text as JsonText<AvailabilitySnapshot>;
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
      await visible(workshopId, viewer);
      const { start, end } = window(range.from, range.to);
      return { read: () => snapshot(workshopId, start, end), readJson: () => snapshotJson(workshopId, start, end) };
    },
  };
}

export type Availability = ReturnType<typeof createAvailability>;
