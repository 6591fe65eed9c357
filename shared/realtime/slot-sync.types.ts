import type { AvailabilitySnapshot, SlotsChangedEvent, SlotView } from '@shared/availability';
import type { RetryPolicy, Timers } from './retrying-fetch';

/*
 * The public shape of slot-sync, apart from its implementation so a screen or a test can
 * type against it without reading the ordering logic.
 */

/** What a screen renders; replaced (never mutated) on every visible change. */
export interface SlotSyncState {
  workshopId: string;
  seq: number;
  epoch: string;
  /** Sorted by startsAt. */
  slots: SlotView[];
  /** True while a snapshot is being fetched or retried, or after retries gave up: slots may be stale. */
  syncing: boolean;
}

/** Options of `createSlotSync`. */
export interface SlotSyncOptions {
  /** Returns the current snapshot, e.g. by emitting `workshop:watch` and unwrapping its ack. */
  fetchSnapshot: () => Promise<AvailabilitySnapshot>;
  /** Called after every visible change with the new state (once per frame, however many changes it carries). */
  onState?: (s: SlotSyncState) => void;
  /** How long a seq gap may stay open before a snapshot is fetched. Default 250. */
  gapTimeoutMs?: number;
  timers?: Timers;
  /** A snapshot fetch that has not settled by then counts as failed. Default 10 000. */
  fetchTimeoutMs?: number;
  /** Backoff of failed fetches. Default 250 ms doubling to 10 s, unlimited attempts. */
  retry?: RetryPolicy;
  /** Jitter source for the backoff. Default Math.random. */
  random?: () => number;
}

/** Counters for tests and diagnostics. */
export interface SlotSyncStats {
  /** Snapshots taken (the first one included). */
  snapshots: number;
  /** Gaps the buffer did not fill within gapTimeoutMs (each one caused a snapshot). */
  gapsDetected: number;
  /** Changes (entries of frames' `changes`) merged into the state. */
  applied: number;
  /** Changes dropped: duplicates, older than the state, from a superseded epoch or another workshop. */
  ignored: number;
}

/** A running sync for one workshop. */
export interface SlotSync {
  /** Fetches the first snapshot (resolves at once if there already is one). */
  start(): Promise<void>;
  /** Feeds one `slots:changed` frame, in any order; duplicates are fine. Listeners of several workshops may share it: other workshops' frames are ignored. */
  apply(e: SlotsChangedEvent): void;
  /**
   * Fetches a fresh snapshot (e.g. after a reconnect); calls while one is in flight share it.
   * Rejects only when `retry.maxAttempts` ran out; then `syncing` stays true and the next event
   * or resync() tries again.
   */
  resync(): Promise<void>;
  readonly state: SlotSyncState;
  /** Final: cancels timers and the pending fetch, and ignores everything afterwards. */
  stop(): void;
  readonly stats: SlotSyncStats;
}
