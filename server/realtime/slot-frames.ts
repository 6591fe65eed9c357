import type { ChangeCause, SlotChange, SlotsChangedEvent } from '@shared/availability';
import type { Change } from '../domain/hold-ports';

/*
 * Coalescing of availability changes into `slots:changed` frames (PROTOCOL.md). An emit costs
 * about the same per socket whatever it carries, so a workshop's changes made by this process
 * before the next flush go out as ONE frame: changes in seq order, one epoch per frame (a
 * change of another epoch closes the open frame and starts the next).
 *
 * The flush runs on setImmediate (flushMs 0, the default): after the current I/O phase, so
 * every request that finished in it has answered before fan-out starts, and idle latency is
 * one turn of the loop. Under load it adapts by itself: while one flush writes to a thousand
 * sockets, the holds of the next turn pile up and leave together, so frames per second fall
 * as the fan-out gets dearer instead of the loop falling behind. flushMs > 0 waits that long
 * after the first change of a window instead (fewer, larger frames at a fixed added delay).
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
  flushMs?: number;
  now?: () => number;
}): SlotFrames {
  const now = opts.now ?? (() => performance.now());
  const flushMs = opts.flushMs ?? 0;
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
    for (const [workshopId, frames] of ready) {
      for (const f of frames) opts.emit({ frame: { workshopId, epoch: f.epoch, changes: f.changes }, madeAt: f.madeAt });
    }
    opts.flushed?.();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    if (flushMs > 0) setTimeout(flush, flushMs);
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
