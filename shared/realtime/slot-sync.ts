import type { AvailabilitySnapshot, SlotsChangedEvent, SlotView, WorkshopSlotChange } from '@shared/availability';
import { createRetryingFetch, FetchCancelled, platformTimers } from './retrying-fetch';
import type { SlotSync, SlotSyncOptions, SlotSyncState, SlotSyncStats } from './slot-sync.types';

/*
 * Keeps one workshop's availability gap-free on a client (PROTOCOL.md): a
 * snapshot, then the changes of `slots:changed` frames applied strictly in seq order.
 * Frames from different server processes can arrive out of order or not at all, so
 * successors wait in a buffer, change by change; a gap (inside a frame or between frames)
 * the buffer does not fill in time, or a new epoch, means "take a fresh snapshot". One
 * frame is one state update, however many changes it carries. No DOM or socket here: the
 * caller injects the fetch and the timers.
 */

export type { SlotSync, SlotSyncOptions, SlotSyncState, SlotSyncStats } from './slot-sync.types';
export type { Timers as SlotSyncTimers } from './retrying-fetch';

// Late events of a dead stream can pile up during a long outage; the snapshot supersedes them anyway.
const MAX_BUFFER = 1024;
const MAX_RETIRED_EPOCHS = 16;
const key = (epoch: string, seq: number) => `${epoch}\u0000${seq}`;

/** Creates a sync; nothing is fetched until start(). */
export function createSlotSync(opts: SlotSyncOptions): SlotSync {
  const gapMs = opts.gapTimeoutMs ?? 250;
  const timers = opts.timers ?? platformTimers;
  const fetcher = createRetryingFetch({
    fetch: opts.fetchSnapshot,
    timers,
    timeoutMs: opts.fetchTimeoutMs ?? 10_000,
    retry: opts.retry,
    random: opts.random,
  });
  const stats: SlotSyncStats = { snapshots: 0, gapsDetected: 0, applied: 0, ignored: 0 };
  let state: SlotSyncState = { workshopId: '', seq: 0, epoch: '', slots: [], syncing: false };
  let slotIndex = new Map<string, number>(); // slot id → position; times never change, so positions don't
  let needSnapshot = true; // no snapshot yet, or the last fetch gave up
  let started = false;
  let stopped = false;
  let fetching = false;
  let inflight: Promise<void> | null = null;
  // Arrival order `n` tells whether an event predates a fetch (see adopt).
  const buffer = new Map<string, { e: WorkshopSlotChange; n: number }>();
  let arrivals = 0;
  const retired = new Set<string>(); // epochs a snapshot has superseded: their late events mean nothing
  let gapTimer: unknown = null;
  let gapFrom = -1;
  let reshaped = false; // an applied 'schedule' event: the slot set changed, counts alone cannot say how

  const publish = (next: SlotSyncState) => {
    state = next;
    opts.onState?.(state);
  };
  const clearGap = () => {
    if (gapTimer !== null) timers.clearTimeout(gapTimer);
    gapTimer = null;
  };
  const retire = (epoch: string) => {
    retired.add(epoch);
    if (retired.size > MAX_RETIRED_EPOCHS) retired.delete(retired.values().next().value as string);
  };
  const remember = (e: WorkshopSlotChange) => {
    const k = key(e.epoch, e.seq);
    if (buffer.has(k)) {
      stats.ignored++;
      return;
    }
    buffer.set(k, { e, n: arrivals++ });
    if (buffer.size > MAX_BUFFER) {
      buffer.delete(buffer.keys().next().value as string); // the oldest arrival
      stats.ignored++;
    }
  };
  const kick = () => void resync().catch(() => {}); // internal resyncs: failure is visible as syncing: true

  /** Applies buffered successors of `base.seq` to a copy of its slots. */
  function drain(base: SlotSyncState): SlotSyncState {
    let seq = base.seq;
    let slots: SlotView[] | null = null; // copied on first change only
    for (let b = buffer.get(key(base.epoch, seq + 1)); b; b = buffer.get(key(base.epoch, seq + 1))) {
      buffer.delete(key(base.epoch, ++seq));
      stats.applied++;
      if (b.e.cause === 'schedule') reshaped = true;
      for (const c of b.e.slots) {
        const i = slotIndex.get(c.id);
        if (i === undefined) continue; // outside the watched window
        slots ??= base.slots.slice();
        slots[i] = { ...slots[i]!, capacity: c.capacity, booked: c.booked, held: c.held, free: c.free };
      }
    }
    return seq === base.seq ? base : { ...base, seq, slots: slots ?? base.slots };
  }

  // What is left in the buffer after a drain is a gap; give it gapMs to fill before re-asking.
  function watchGap() {
    if (buffer.size === 0) return clearGap();
    if (gapTimer !== null && gapFrom === state.seq) return; // same gap: keep its deadline
    clearGap();
    gapFrom = state.seq;
    gapTimer = timers.setTimeout(() => {
      gapTimer = null;
      if (buffer.size === 0 || fetching) return;
      stats.gapsDetected++;
      kick();
    }, gapMs);
  }

  /** Installs a snapshot; returns false when an event of an unknown epoch needs one more fetch. */
  function adopt(snap: AvailabilitySnapshot, fetchStartedAt: number): boolean {
    if (stats.snapshots > 0 && snap.epoch !== state.epoch) retire(state.epoch);
    let again = false;
    for (const [k, { e, n }] of buffer) {
      if (e.workshopId === snap.workshopId && e.epoch === snap.epoch && e.seq > snap.seq) continue;
      if (e.workshopId === snap.workshopId && e.epoch !== snap.epoch && !retired.has(e.epoch)) {
        // Received before the fetch started, so the snapshot is newer than its epoch. Received
        // during the fetch, it may come from a restart after the snapshot was read: ask again.
        if (n >= fetchStartedAt) {
          again = true;
          continue;
        }
        retire(e.epoch);
      }
      buffer.delete(k);
      stats.ignored++;
    }
    const slots = snap.slots.slice().sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
    slotIndex = new Map(slots.map((s, i) => [s.id, i]));
    const { workshopId, seq, epoch } = snap;
    stats.snapshots++;
    needSnapshot = again;
    fetching = again;
    publish(drain({ workshopId, seq, epoch, slots, syncing: again }));
    if (again) return false;
    watchGap();
    reshapeIfNeeded();
    return true;
  }

  async function run(): Promise<void> {
    try {
      for (;;) {
        let startedAt = arrivals;
        const snap = await fetcher.run(() => (startedAt = arrivals));
        if (stopped) return;
        if (adopt(snap, startedAt)) return;
      }
    } catch (err) {
      fetching = false; // syncing stays true: the slots are not trustworthy
      if (!(err instanceof FetchCancelled)) throw err;
    }
  }

  /** Slots were created or removed since the snapshot: only a new snapshot knows which. */
  function reshapeIfNeeded() {
    if (!reshaped) return;
    reshaped = false;
    kick();
  }

  function resync(): Promise<void> {
    started = true;
    if (stopped) return Promise.resolve();
    if (!fetching) {
      fetching = true;
      needSnapshot = true; // until adopt(): if the fetch gives up, the next event tries again
      clearGap();
      const p: Promise<void> = run().finally(() => void (inflight === p && (inflight = null)));
      inflight = p;
      // Published only now, so an onState handler that calls resync() joins this fetch.
      if (!state.syncing) publish({ ...state, syncing: true });
    }
    return inflight ?? Promise.resolve();
  }

  /** One frame: its changes are remembered one by one, then merged in one state update. */
  function apply(frame: SlotsChangedEvent): void {
    if (stopped) return;
    const { workshopId, epoch, changes } = frame;
    if ((!needSnapshot && workshopId !== state.workshopId) || retired.has(epoch)) {
      stats.ignored += changes.length;
      return;
    }
    if (fetching || needSnapshot || epoch !== state.epoch) {
      // The snapshot in flight (or the next one) decides what these changes are worth.
      for (const c of changes) remember({ workshopId, epoch, ...c });
      if (started && !fetching) kick();
      return;
    }
    for (const c of changes) {
      if (c.seq <= state.seq) stats.ignored++;
      else remember({ workshopId, epoch, ...c });
    }
    const next = drain(state);
    if (next !== state) publish(next);
    watchGap();
    reshapeIfNeeded();
  }

  return {
    start: () => (started && !needSnapshot ? Promise.resolve() : resync()),
    apply,
    resync,
    get state() {
      return state;
    },
    stop() {
      stopped = true;
      clearGap();
      fetcher.cancel();
      buffer.clear();
    },
    stats,
  };
}
