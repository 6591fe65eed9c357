import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AvailabilitySnapshot } from '@shared/availability';
import { coalesce, createFakeServer, deferred, expectInSync, setup } from './slot-sync.fixtures';

// Fake timers everywhere: the gap timeout and the backoff are driven by hand, never slept.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createSlotSync ordering', () => {
  it('takes the first snapshot with slots sorted by startsAt', async () => {
    const server = createFakeServer(4);
    const { sync, states } = setup(server);
    expect(sync.state.syncing).toBe(false);
    const started = sync.start();
    expect(sync.state.syncing).toBe(true);
    await started;
    expectInSync(sync.state, server);
    expect(sync.state.slots.map((s) => s.id)).toEqual(['slot-0', 'slot-1', 'slot-2', 'slot-3']);
    expect(states.map((s) => s.syncing)).toEqual([true, false]);
    expect(sync.stats.snapshots).toBe(1);
  });

  it('applies events in order, ignoring slot ids outside the window', async () => {
    const server = createFakeServer();
    const { sync, states } = setup(server);
    await sync.start();
    const before = sync.state;
    sync.apply(server.change(0, 1, 0));
    sync.apply(server.change(1, 0, 2, { outsideWindow: true }));
    sync.apply(server.change(0, 2, 1));
    expectInSync(sync.state, server);
    expect(sync.state.slots).toHaveLength(3);
    expect(before.slots[0]!.booked).toBe(0); // states are replaced, never mutated
    expect(states).toHaveLength(2 + 3);
    expect(sync.stats).toEqual({ snapshots: 1, gapsDetected: 0, applied: 3, ignored: 0 });
  });

  it('ignores duplicates and events older than the state without notifying', async () => {
    const server = createFakeServer();
    const { sync, states } = setup(server);
    const e1 = server.change(0, 1, 0);
    await sync.start(); // snapshot already includes e1
    const e2 = server.change(0, 1, 1);
    sync.apply(e1);
    sync.apply(e2);
    sync.apply(e2);
    expectInSync(sync.state, server);
    expect(sync.stats.applied).toBe(1);
    expect(sync.stats.ignored).toBe(2);
    expect(states).toHaveLength(3);
  });

  it('fixes a reorder inside the window by buffering, without a snapshot', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const e1 = server.change(0, 1, 0);
    const e2 = server.change(1, 1, 0);
    sync.apply(e2);
    expect(sync.state.seq).toBe(0); // waits for seq 1
    await vi.advanceTimersByTimeAsync(200);
    sync.apply(e1);
    expectInSync(sync.state, server);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
    expect(sync.stats.gapsDetected).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-fetches exactly once when a lost event leaves a gap for gapTimeoutMs', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    sync.apply(server.change(0, 1, 0)); // seq 1
    server.change(1, 1, 0); // seq 2: lost
    sync.apply(server.change(2, 1, 0)); // seq 3
    sync.apply(server.change(2, 2, 0)); // seq 4
    await vi.advanceTimersByTimeAsync(249);
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
    expect(sync.state.seq).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    expectInSync(sync.state, server);
    expect(sync.stats.gapsDetected).toBe(1);
  });

  it('keeps the gap deadline while later events keep arriving', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    server.change(0, 1, 0); // seq 1: lost
    for (let i = 0; i < 5; i++) {
      sync.apply(server.change(1, i % 3, 0)); // seq 2…6 every 100 ms must not postpone the fetch
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(fetchSnapshot).toHaveBeenCalledTimes(2); // at 250 ms
    expectInSync(sync.state, server);
  });

  it("re-snapshots after a 'schedule' event: slots added and removed by the vendor show up", async () => {
    const server = createFakeServer(3);
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    sync.apply(server.change(0, 1, 0));
    sync.apply(server.reshape({ removeAt: 1 }));
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
    expect(sync.state.slots.map((s) => s.id)).toEqual(['slot-0', 'slot-2', 'slot-3']);
    sync.apply(server.change(2, 0, 1)); // the new slot is live like any other
    expectInSync(sync.state, server);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
  });

  it("re-snapshots when a 'schedule' event waited in the buffer behind a reorder", async () => {
    const server = createFakeServer(3);
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const first = server.change(0, 1, 0);
    const reshape = server.reshape();
    sync.apply(reshape); // early: buffered, nothing fetched yet
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
    sync.apply(first);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
    expect(sync.state.slots).toHaveLength(4);
  });

  it('takes a snapshot on a new epoch and then ignores the old epoch', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const late = server.change(0, 1, 0); // old epoch, delivered after the restart
    server.restart('epoch-2');
    sync.apply(server.change(1, 2, 0));
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
    sync.apply(late);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    expectInSync(sync.state, server);
    expect(sync.stats.ignored).toBe(2); // the buffered epoch-2 seq 1 (in the snapshot) and `late`
  });

  it('buffers events during an in-flight snapshot and keeps those after its seq', async () => {
    const server = createFakeServer();
    const pending = deferred<AvailabilitySnapshot>();
    const { sync } = setup(server, { fetchSnapshot: () => pending.promise });
    const started = sync.start();
    const early = [server.change(0, 1, 0), server.change(0, 2, 0)]; // seq 1, 2: in the snapshot
    const snap = server.snapshot();
    const late = [server.change(1, 1, 1), server.change(2, 0, 3)]; // seq 3, 4: not in it
    sync.apply(late[1]!);
    sync.apply(early[0]!);
    sync.apply(late[0]!);
    sync.apply(early[1]!);
    expect(sync.state.syncing).toBe(true);
    pending.resolve(snap);
    await started;
    expectInSync(sync.state, server);
    expect(sync.stats).toMatchObject({ snapshots: 1, applied: 2, ignored: 2, gapsDetected: 0 });
  });

  it('fetches again when an event of an unknown epoch arrives during the fetch', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const first = deferred<AvailabilitySnapshot>();
    fetchSnapshot.mockImplementationOnce(() => first.promise);
    const resync = sync.resync();
    const snap = server.snapshot(); // read just before the restart
    server.restart('epoch-2');
    sync.apply(server.change(0, 3, 0));
    first.resolve(snap);
    await resync;
    expect(fetchSnapshot).toHaveBeenCalledTimes(3);
    expectInSync(sync.state, server);
  });

  it('shares one fetch between concurrent resyncs', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const calls = [sync.resync(), sync.resync(), sync.resync()];
    expect(new Set(calls).size).toBe(1);
    await Promise.all(calls);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await sync.resync();
    expect(fetchSnapshot).toHaveBeenCalledTimes(3);
  });
});

describe('createSlotSync frames of several changes', () => {
  it('applies a frame in seq order as one state update', async () => {
    const server = createFakeServer();
    const { sync, states } = setup(server);
    await sync.start();
    const frame = coalesce(server.change(0, 1, 0), server.change(0, 2, 0), server.change(1, 0, 3, { outsideWindow: true }));
    sync.apply(frame);
    expectInSync(sync.state, server);
    expect(sync.state.slots[0]!.booked).toBe(2); // the later change of the same slot wins
    expect(states).toHaveLength(2 + 1);
    expect(sync.stats).toEqual({ snapshots: 1, gapsDetected: 0, applied: 3, ignored: 0 });
  });

  it('skips the changes of a frame it already has and applies the rest', async () => {
    const server = createFakeServer();
    const { sync } = setup(server);
    const e1 = server.change(0, 1, 0);
    await sync.start(); // includes seq 1
    sync.apply(coalesce(e1, server.change(1, 1, 0)));
    expectInSync(sync.state, server);
    expect(sync.stats).toMatchObject({ applied: 1, ignored: 1 });
  });

  it('closes a gap between frames from another frame (another process) within the window', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const fromA = [server.change(0, 1, 0), server.change(0, 2, 0)]; // seq 1, 2
    const fromB = server.change(1, 1, 0); // seq 3
    const laterA = [server.change(2, 1, 0), server.change(2, 2, 0)]; // seq 4, 5
    sync.apply(coalesce(...fromA));
    sync.apply(coalesce(...laterA));
    expect(sync.state.seq).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    sync.apply(fromB);
    expectInSync(sync.state, server);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
  });

  it('re-fetches when a gap inside a frame stays open for gapTimeoutMs', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    const first = server.change(0, 1, 0); // seq 1
    server.change(1, 1, 0); // seq 2: made by another process, its frame lost
    sync.apply(coalesce(first, server.change(2, 1, 0))); // seq 1 and 3 in one frame
    expect(sync.state.seq).toBe(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
    expect(sync.stats.gapsDetected).toBe(1);
  });

  it('re-fetches when a whole frame between two others is lost', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    sync.apply(coalesce(server.change(0, 1, 0), server.change(0, 2, 0)));
    coalesce(server.change(1, 1, 0), server.change(1, 2, 0)); // lost
    sync.apply(coalesce(server.change(2, 1, 0)));
    await vi.advanceTimersByTimeAsync(250);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
  });

  it("re-snapshots after a frame with a 'schedule' change, once its changes are applied", async () => {
    const server = createFakeServer(3);
    const { sync, fetchSnapshot } = setup(server);
    await sync.start();
    sync.apply(coalesce(server.change(0, 1, 0), server.reshape({ removeAt: 2 }), server.change(1, 1, 0)));
    expect(sync.state.seq).toBe(3);
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(0);
    expectInSync(sync.state, server);
  });

  it('ignores frames of another workshop and of a retired epoch whole', async () => {
    const server = createFakeServer();
    const { sync } = setup(server);
    await sync.start();
    const stale = server.change(0, 1, 0);
    server.restart('epoch-2');
    sync.apply(coalesce(server.change(0, 2, 0), server.change(1, 1, 0)));
    await vi.advanceTimersByTimeAsync(0); // new epoch: snapshot
    expectInSync(sync.state, server);
    const ignored = sync.stats.ignored;
    sync.apply(coalesce(stale, stale));
    sync.apply({ ...server.change(2, 1, 0), workshopId: '00000000-0000-4000-8000-000000000000' });
    expect(sync.stats.ignored).toBe(ignored + 3);
  });
});
