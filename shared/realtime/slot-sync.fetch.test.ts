import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeServer, expectInSync, setup } from './slot-sync.fixtures';

// Fake timers: the backoff and the fetch timeout are driven by hand, never slept.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createSlotSync fetching', () => {
  it('retries a failed fetch with capped backoff and stays syncing meanwhile', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot, states } = setup(server, { retry: { baseMs: 100, maxMs: 300 } });
    fetchSnapshot.mockRejectedValueOnce(new Error('down')).mockRejectedValueOnce(new Error('down'));
    fetchSnapshot.mockRejectedValueOnce(new Error('down'));
    const started = sync.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(fetchSnapshot).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 100 ms
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(200); // doubled
    expect(fetchSnapshot).toHaveBeenCalledTimes(3);
    expect(sync.state.syncing).toBe(true);
    await vi.advanceTimersByTimeAsync(300); // capped at maxMs
    await started;
    expect(fetchSnapshot).toHaveBeenCalledTimes(4);
    expect(states.map((s) => s.syncing)).toEqual([true, false]);
  });

  it('treats a fetch that never answers as failed', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server, { fetchTimeoutMs: 1_000, retry: { baseMs: 10 } });
    fetchSnapshot.mockImplementationOnce(() => new Promise(() => {}));
    const started = sync.start();
    await vi.advanceTimersByTimeAsync(1_010);
    await started;
    expect(fetchSnapshot).toHaveBeenCalledTimes(2);
    expectInSync(sync.state, server);
  });

  it('rejects after maxAttempts, stays syncing, and retries on the next event', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot } = setup(server, { retry: { baseMs: 10, maxAttempts: 2 } });
    fetchSnapshot.mockRejectedValueOnce(new Error('down')).mockRejectedValueOnce(new Error('still down'));
    const started = sync.start();
    const failed = expect(started).rejects.toThrow('still down');
    await vi.advanceTimersByTimeAsync(10);
    await failed;
    expect(sync.state.syncing).toBe(true);
    sync.apply(server.change(0, 1, 0));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchSnapshot).toHaveBeenCalledTimes(3);
    expectInSync(sync.state, server);
  });

  it('stop() cancels timers and the pending fetch and ignores later events', async () => {
    const server = createFakeServer();
    const { sync, fetchSnapshot, states } = setup(server);
    await sync.start();
    sync.apply(server.change(0, 1, 0));
    server.change(0, 1, 1); // seq 2: lost
    sync.apply(server.change(0, 1, 2)); // seq 3 opens a gap
    fetchSnapshot.mockRejectedValue(new Error('down'));
    await vi.advanceTimersByTimeAsync(250); // the gap fetch fails and waits to retry
    const resync = sync.resync();
    sync.stop();
    await resync;
    expect(vi.getTimerCount()).toBe(0);
    const seen = states.length;
    sync.apply(server.change(1, 1, 0));
    expect(states).toHaveLength(seen);
  });
});
