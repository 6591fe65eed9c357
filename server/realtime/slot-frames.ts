import type { ChangeCause, SlotChange, SlotsChangedEvent } from '@shared/availability';
import type { Change } from '../domain/hold-ports';

/*
 * Coalescing of availability changes into `slots:changed` frames (PROTOCOL.md). An emit costs
 * about the same per socket whatever it carries, so a workshop's changes made by this process
 * before the next flush go out as ONE frame: changes in seq order, one epoch per frame (a
 * change of another epoch closes the open frame and starts the next).
 *
 * When: on setImmediate, after the current I/O phase, so every request that finished in it
 * has answered before fan-out starts and an idle server adds one turn of the loop. But a flush
 * costs ~16 µs per watching socket (1,000 watchers: ~16 ms), and back-to-back flushes would
 * let fan-out take the whole loop while holds wait. So after a flush that took C ms the next
 * one waits until C × busyRatio ms have passed (default 3: fan-out gets at most a quarter of
 * the loop), capped at maxWaitMs. Small rooms flush every turn; big ones send fewer, larger
 * frames, and the window grows with the cost instead of a fixed timer that is too long for
 * one and too short for the other. flushMs > 0 sets a floor on that window.
 */

/** A frame ready to emit, with when each of its changes was made (for the delay metrics). */
export interface ReadyFrame {
  frame: SlotsChangedEvent;
  /** performance.now() of each change, index for index with frame.changes. */
  madeAt: number[];
}

interface OpenFrame {
  epoch: string;
  changes: SlotChange[];
  madeAt: number[];
}

export interface SlotFrames {
  /** Queues one change; the flush emits it. */
  add(change: Change, cause: ChangeCause): void;
  /** Emits everything queued now (tests, shutdown). */
  flush(): void;
  /** Drops everything queued and everything added later. */
  close(): void;
}

export function createSlotFrames(opts: {
  /** Called once per frame, workshop by workshop, frames of a workshop in order. */
  emit: (ready: ReadyFrame) => void;
  /** Called once after each flush that emitted anything. */
  flushed?: () => void;
  /** Least wait from the first change of a window to its flush (default 0: the next turn). */
  flushMs?: number;
  /** Wait after a flush, as a multiple of what that flush cost (default 3). */
  busyRatio?: number;
  /** Longest wait the busy ratio may impose (default 100 ms). */
  maxWaitMs?: number;
  now?: () => number;
}): SlotFrames {
  const now = opts.now ?? (() => performance.now());
  const flushMs = opts.flushMs ?? 0;
  const busyRatio = opts.busyRatio ?? 3;
  const maxWaitMs = opts.maxWaitMs ?? 100;
  let nextAt = 0; // now() before which the next flush should not run
  // Workshop → its open frames (more than one only across an epoch change). A Map keeps
  // insertion order, so workshops flush in the order their first change came.
  let open = new Map<string, OpenFrame[]>();
  let scheduled = false;
  let closed = false;

  function flush() {
    scheduled = false;
    if (closed || open.size === 0) return;
    const ready = open;
    open = new Map();
    const started = now();
    for (const [workshopId, frames] of ready) {
      for (const f of frames) opts.emit({ frame: { workshopId, epoch: f.epoch, changes: f.changes }, madeAt: f.madeAt });
    }
    const ended = now();
    nextAt = ended + Math.min(maxWaitMs, (ended - started) * busyRatio);
    opts.flushed?.();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(flushMs, nextAt - now());
    if (wait >= 1) setTimeout(flush, wait);
    else setImmediate(flush);
  }

  return {
    add(change, cause) {
      if (closed) return;
      let frames = open.get(change.workshopId);
      if (!frames) open.set(change.workshopId, (frames = []));
      let last = frames[frames.length - 1];
      if (!last || last.epoch !== change.epoch) frames.push((last = { epoch: change.epoch, changes: [], madeAt: [] }));
      // Emitted even with no slots (an extend): clients need every seq to stay gap-free.
      const entry: SlotChange = { seq: change.seq, cause, slots: change.slots };
      const madeAt = change.madeAt ?? now();
      // Replies of one Redis connection come in order, so this is almost always an append;
      // a change that overtook another still lands in seq order.
      let i = last.changes.length;
      while (i > 0 && last.changes[i - 1]!.seq > entry.seq) i--;
      last.changes.splice(i, 0, entry);
      last.madeAt.splice(i, 0, madeAt);
      schedule();
    },
    flush,
    close() {
      closed = true;
      open.clear();
    },
  };
}
