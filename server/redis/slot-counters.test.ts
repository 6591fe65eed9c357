import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createHoldStore } from './hold-store';
import { workshopKeys } from './hold-keys';
import type { Snapshot, SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';
import { chunkedSnapshot, SNAPSHOT_CHUNK } from './slot-counters';

const kit = redisTestKit();
afterAll(() => kit.close());

const seeds = (n: number): SlotSeed[] => Array.from({ length: n }, (_, i) => ({ slotId: uid('s'), capacity: 1 + (i % 7), booked: i % 3 === 0 ? 1 : 0 }));

describe('chunked snapshot', () => {
  it('reads a large workshop in bounded script calls and returns what one big read returns', async () => {
    const clock = manualClock(1_700_000_000_000);
    const redis = kit.connect();
    const store = createHoldStore({ redis, prefix: kit.prefix, clock });
    const w = uid('w');
    const all = seeds(1234);
    // Live state Postgres does not know: a few holds spread over the chunks.
    for (const i of [1, 499, 500, 778, 1233]) {
      const r = await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [all[i]!], ttlMs: 60_000, maxActivePerCustomer: 1 });
      expect(r.ok).toBe(true);
    }

    const calls: number[] = [];
    const original = redis.hfSnapshot.bind(redis);
    redis.hfSnapshot = ((...args: Parameters<typeof original>) => {
      calls.push((args.length - 5) / 3); // keys (2), now, epoch, repair grace, then triples
      return original(...args);
    }) as typeof redis.hfSnapshot;
    const chunked = await store.snapshot(w, all);
    redis.hfSnapshot = original;

    expect(calls).toEqual([500, 500, 234]);
    expect(Math.max(...calls)).toBeLessThanOrEqual(SNAPSHOT_CHUNK);
    // The same script over every slot in one call (what a snapshot used to be).
    const k = workshopKeys(kit.prefix, w);
    const whole = JSON.parse(await redis.hfSnapshot(k.slots, k.meta, clock.now(), 'unused', 5000, ...all.flatMap((s) => [s.slotId, s.capacity, s.booked])));
    expect(chunked.seq).toBe(whole.seq);
    expect(chunked.epoch).toBe(whole.epoch);
    expect(chunked.slots).toEqual(whole.slots);
    expect(chunked.slots.filter((s) => s.held === 1).map((s) => s.id)).toEqual([1, 499, 500, 778, 1233].map((i) => all[i]!.slotId));
  });

  const part = (seq: number, ids: string[], epoch = 'e1'): Snapshot => ({ seq, epoch, slots: ids.map((id) => ({ id, capacity: 1, booked: 0, held: 0, free: 1 })) });

  it('re-reads when changes landed between chunks, so seq and counts agree when it can', async () => {
    const ids = Array.from({ length: SNAPSHOT_CHUNK + 1 }, (_, i) => `s${i}`);
    const seqs = [5, 6, 6, 6]; // first attempt: chunk 1 at seq 5, chunk 2 at 6; second attempt both at 6
    let call = 0;
    const snap = await chunkedSnapshot(ids, async (chunk) => part(seqs[call++]!, chunk));
    expect(call).toBe(4);
    expect(snap.seq).toBe(6);
    expect(snap.slots.map((s) => s.id)).toEqual(ids);
  });

  it('under constant change answers the first chunk’s seq: every count is at least that new', async () => {
    const ids = Array.from({ length: SNAPSHOT_CHUNK * 2 }, (_, i) => `s${i}`);
    let seq = 10;
    const snap = await chunkedSnapshot(ids, async (chunk) => part(seq++, chunk));
    expect(seq).toBe(16); // three attempts of two chunks
    expect(snap.seq).toBe(14); // the last attempt's first chunk
    expect(snap.slots).toHaveLength(ids.length);
  });
});

describe('pruning slot counters', () => {
  it('deletes the fields of slots Postgres no longer vouches for and keeps the rest, holds included', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const w = uid('w');
    const all = seeds(1500);
    await store.snapshot(w, all);
    const held = all[1400]!;
    expect((await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [held], ttlMs: 60_000, maxActivePerCustomer: 1 })).ok).toBe(true);
    const live = new Set(all.filter((_, i) => i % 4 === 0).map((s) => s.slotId));
    live.add(held.slotId);

    const asked = new Set<string>();
    const pruned = await store.prune(w, async (ids) => {
      ids.forEach((id) => asked.add(id));
      return new Set(ids.filter((id) => live.has(id)));
    });

    expect(asked.size).toBe(all.length);
    expect(pruned).toBe(all.length - live.size);
    const fields = await kit.connect().hkeys(workshopKeys(kit.prefix, w).slots);
    const left = new Set(fields.map((f) => f.slice(2)));
    expect([...left].sort()).toEqual([...live].sort());
    expect(fields).toContain(`h:${held.slotId}`);
    // The counters that stayed are untouched.
    const after = await store.snapshot(w, [held]);
    expect(after.slots[0]).toMatchObject({ id: held.slotId, held: 1 });
  });
});
