import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Change, ConsumeResult, HoldInput, HoldPort, HoldRecord, HoldResult, ReleaseResult, SlotCounts, SlotSeed } from '../hold-ports';

/*
 * An in-memory hold port with the Redis store's contract as the domain sees it: units held
 * all-or-none, consume moves held → booked, an expired hold is released by consume itself,
 * resync overwrites capacity/booked and keeps held, every change bumps the workshop's seq.
 * Only what the domain's hold, confirm and reschedule paths call is implemented; the rest
 * throws, so a test that reaches it learns at once that it needs the real store.
 */

type Counter = { capacity: number; booked: number; held: number };

export function fakeHoldPort(clock: Clock) {
  const holds = new Map<string, HoldRecord>();
  const counters = new Map<string, Map<string, Counter>>();
  const seqs = new Map<string, number>();
  const epoch = 'fake-epoch';

  const slotsOf = (workshopId: string) => {
    let m = counters.get(workshopId);
    if (!m) counters.set(workshopId, (m = new Map()));
    return m;
  };
  const seed = (workshopId: string, seeds: SlotSeed[]) => {
    const m = slotsOf(workshopId);
    for (const s of seeds) if (!m.has(s.slotId)) m.set(s.slotId, { capacity: s.capacity, booked: s.booked, held: 0 });
  };
  const counts = (workshopId: string, slotId: string): SlotCounts => {
    const c = slotsOf(workshopId).get(slotId) ?? { capacity: 0, booked: 0, held: 0 };
    return { id: slotId, ...c, free: Math.max(0, c.capacity - c.booked - c.held) };
  };
  const change = (workshopId: string, slotIds: string[]): Change => {
    const seq = (seqs.get(workshopId) ?? 0) + 1;
    seqs.set(workshopId, seq);
    return { workshopId, seq, epoch, slots: slotIds.map((id) => counts(workshopId, id)) };
  };
  const move = (hold: HoldRecord, from: 'held' | null, to: 'booked' | 'held' | null) => {
    const m = slotsOf(hold.workshopId);
    for (const id of hold.slotIds) {
      const c = m.get(id)!;
      if (from) c[from]--;
      if (to) c[to]++;
    }
  };
  const notFaked = (name: string) => () => {
    throw new Error(`fakeHoldPort.${name} is not faked: use the Redis store (server/redis) for this test`);
  };

  const port: HoldPort = {
    async hold(input: HoldInput): Promise<HoldResult> {
      seed(input.workshopId, (input.slots as Array<SlotSeed | { slotId: string }>).filter((x): x is SlotSeed => 'capacity' in x));
      const active = [...holds.values()].filter((h) => h.customerId === input.customerId && h.expiresAt > clock.now());
      if (active.length >= input.maxActivePerCustomer) return { ok: false, code: 'HOLD_LIMIT' };
      const full = input.slots.find((s) => counts(input.workshopId, s.slotId).free < 1);
      if (full) return { ok: false, code: 'SLOT_UNAVAILABLE', slotId: full.slotId };
      const now = clock.now();
      const hold: HoldRecord = {
        id: randomUUID(),
        workshopId: input.workshopId,
        customerId: input.customerId,
        serviceId: input.serviceId,
        slotIds: input.slots.map((s) => s.slotId),
        expiresAt: now + input.ttlMs,
        createdAt: now,
        extensions: 0,
        options: input.options ?? {},
        ...(input.quote ? { quote: input.quote } : {}),
        ...(input.services ? { services: input.services } : {}),
      };
      holds.set(hold.id, hold);
      move(hold, null, 'held');
      return { ok: true, hold, change: change(hold.workshopId, hold.slotIds) };
    },
    async release(holdId, customerId): Promise<ReleaseResult> {
      const hold = holds.get(holdId);
      if (!hold) return { ok: false, code: 'NOT_FOUND' };
      if (hold.customerId !== customerId) return { ok: false, code: 'FORBIDDEN' };
      holds.delete(holdId);
      move(hold, 'held', null);
      return { ok: true, hold, change: change(hold.workshopId, hold.slotIds) };
    },
    async consume(holdId, customerId): Promise<ConsumeResult> {
      const hold = holds.get(holdId);
      if (!hold) return { ok: false, code: 'NOT_FOUND' };
      if (hold.customerId !== customerId) return { ok: false, code: 'FORBIDDEN' };
      holds.delete(holdId);
      if (hold.expiresAt <= clock.now()) {
        move(hold, 'held', null);
        return { ok: false, code: 'HOLD_EXPIRED', hold, change: change(hold.workshopId, hold.slotIds) };
      }
      move(hold, 'held', 'booked');
      return { ok: true, hold, change: change(hold.workshopId, hold.slotIds) };
    },
    async returnBooked(workshopId, slotIds) {
      const m = slotsOf(workshopId);
      for (const id of slotIds) {
        const c = m.get(id);
        if (c && c.booked > 0) c.booked--;
      }
      return change(workshopId, slotIds);
    },
    async resync(workshopId, seeds) {
      const m = slotsOf(workshopId);
      for (const s of seeds) m.set(s.slotId, { capacity: s.capacity, booked: s.booked, held: m.get(s.slotId)?.held ?? 0 });
      return change(workshopId, seeds.map((s) => s.slotId));
    },
    async findHold(holdId) {
      return holds.get(holdId) ?? null;
    },
    async activeHolds(customerId) {
      return [...holds.values()].filter((h) => h.customerId === customerId && h.expiresAt > clock.now());
    },
    async activeHoldCount(workshopId) {
      return [...holds.values()].filter((h) => h.workshopId === workshopId && h.expiresAt > clock.now()).length;
    },
    async scheduleVersion() {
      return epoch;
    },
    async bumpSchedule() {},
    async seedAbsent(workshopId, seeds) {
      seed(workshopId, seeds);
    },
    extend: notFaked('extend'),
    repair: notFaked('repair'),
    snapshot: notFaked('snapshot'),
    prune: notFaked('prune'),
    sweep: notFaked('sweep'),
    workshopsWithCounters: notFaked('workshopsWithCounters'),
  };

  return Object.assign(port, {
    /** What Redis would show for these slots now. */
    countsOf: (workshopId: string, slotIds: string[]) => slotIds.map((id) => counts(workshopId, id)),
    /** Makes Redis believe something Postgres does not (drift), as a lost write or a crash would. */
    setCounts(workshopId: string, slotId: string, c: Partial<Counter>) {
      const m = slotsOf(workshopId);
      m.set(slotId, { ...(m.get(slotId) ?? { capacity: 0, booked: 0, held: 0 }), ...c });
    },
  });
}

export type FakeHoldPort = ReturnType<typeof fakeHoldPort>;
