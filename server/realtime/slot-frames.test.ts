import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangeCause } from '@shared/availability';
import type { Change } from '../domain/hold-ports';
import { createSlotFrames, type ReadyFrame } from './slot-frames';

/*
 * The coalescing of availability changes into frames, without sockets: what one flush emits
 * for the changes added before it.
 */

const W1 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const W2 = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const counts = (id: string, held: number) => ({ id, capacity: 2, booked: 0, held, free: 2 - held });
const change = (workshopId: string, seq: number, epoch = 'e1', madeAt = seq): Change => ({ workshopId, seq, epoch, slots: [counts(`s${seq}`, 1)], madeAt });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(flushMs?: number) {
  const emitted: ReadyFrame[] = [];
  const flushed = vi.fn();
  const frames = createSlotFrames({ emit: (f) => emitted.push(structuredClone(f)), flushed, flushMs });
  const add = (c: Change, cause: ChangeCause = 'held') => frames.add(c, cause);
  return { frames, emitted, flushed, add };
}

afterEach(() => vi.useRealTimers());

describe('slot frames', () => {
  it("sends a workshop's changes of one turn as one frame, in seq order, after the turn", async () => {
    const { emitted, flushed, add } = setup();
    add(change(W1, 4));
    add(change(W1, 6), 'released');
    add(change(W1, 5), 'extended'); // overtook by another reply: lands in seq order
    expect(emitted).toEqual([]); // never inside the request that made the change
    await nextTurn();
    expect(emitted).toEqual([
      {
        frame: {
          workshopId: W1,
          epoch: 'e1',
          changes: [
            { seq: 4, cause: 'held', slots: [counts('s4', 1)] },
            { seq: 5, cause: 'extended', slots: [counts('s5', 1)] },
            { seq: 6, cause: 'released', slots: [counts('s6', 1)] },
          ],
        },
        madeAt: [4, 5, 6],
      },
    ]);
    expect(flushed).toHaveBeenCalledTimes(1);
  });

  it('keeps workshops apart and starts over after a flush', async () => {
    const { emitted, flushed, add } = setup();
    add(change(W1, 1));
    add(change(W2, 9));
    add(change(W1, 2));
    await nextTurn();
    expect(emitted.map((e) => [e.frame.workshopId, e.frame.changes.map((c) => c.seq)])).toEqual([
      [W1, [1, 2]],
      [W2, [9]],
    ]);
    add(change(W1, 3));
    await nextTurn();
    expect(emitted.at(-1)!.frame.changes.map((c) => c.seq)).toEqual([3]);
    expect(flushed).toHaveBeenCalledTimes(2);
    await nextTurn();
    expect(flushed).toHaveBeenCalledTimes(2); // nothing queued: no flush
  });

  it('never mixes epochs in a frame: a new epoch closes the open frame', async () => {
    const { emitted, add } = setup();
    add(change(W1, 7, 'old'));
    add(change(W1, 1, 'new'));
    add(change(W1, 2, 'new'));
    await nextTurn();
    expect(emitted.map((e) => [e.frame.epoch, e.frame.changes.map((c) => c.seq)])).toEqual([
      ['old', [7]],
      ['new', [1, 2]],
    ]);
  });

  it('sends a change with no slots (an extend) too: every seq must reach clients', async () => {
    const { emitted, add } = setup();
    add({ ...change(W1, 3), slots: [] }, 'extended');
    await nextTurn();
    expect(emitted[0]!.frame.changes).toEqual([{ seq: 3, cause: 'extended', slots: [] }]);
  });

  it('with flushMs, waits that long after the first change of a window', async () => {
    vi.useFakeTimers();
    const { emitted, add } = setup(5);
    add(change(W1, 1));
    await vi.advanceTimersByTimeAsync(4);
    add(change(W1, 2));
    expect(emitted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(emitted.map((e) => e.frame.changes.map((c) => c.seq))).toEqual([[1, 2]]);
  });

  it('after a costly flush, waits busyRatio times its cost (capped) before the next one', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const emitted: number[][] = [];
    const frames = createSlotFrames({
      emit: ({ frame }) => {
        emitted.push(frame.changes.map((c) => c.seq));
        clock += 10; // this emit took 10 ms (a big room)
      },
      now: () => clock,
      maxWaitMs: 25,
      busyRatio: 2,
    });
    frames.add(change(W1, 1), 'held');
    await vi.advanceTimersByTimeAsync(0); // an idle server flushes on the next turn
    expect(emitted).toEqual([[1]]);
    frames.add(change(W1, 2), 'held'); // at 10 ms; may go at 10 + min(25, 2 × 10) = 30 ms
    frames.add(change(W1, 3), 'held');
    await vi.advanceTimersByTimeAsync(19);
    expect(emitted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(emitted).toEqual([[1], [2, 3]]);
    clock = 1_000; // long quiet: the next change goes at once again
    frames.add(change(W1, 4), 'held');
    await vi.advanceTimersByTimeAsync(0);
    expect(emitted.at(-1)).toEqual([4]);
  });

  it('drops what is queued on close', async () => {
    const { frames, emitted, add } = setup();
    add(change(W1, 1));
    frames.close();
    add(change(W1, 2));
    await nextTurn();
    expect(emitted).toEqual([]);
  });
});
