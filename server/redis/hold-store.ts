import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock';
import { defineHoldCommands } from './hold-commands';
import { customerHoldRateKey, customerHoldsKey, dueKey, holdIndexKey, holdMember, parseHoldMember, workshopKeys } from './hold-keys';
import { holdFromHash, parseReply, seedArgs, toChange, toCounts, toHold, type ScriptReply } from './hold-replies';
import type { Change, ConsumeResult, ExtendResult, HoldRecord, HoldStore, ReleaseResult, SlotRef, SlotSeed } from './hold-store.types';
import { scanKeys } from './redis-client';
import { runSweeper, sweepDue, sweepOrphans, SweepError, type SweepContext } from './hold-sweeper';
import { bumpScheduleVersion, chunked, chunkedSnapshot, pruneSlotCounters, scheduleVersion, SNAPSHOT_CHUNK } from './slot-counters';

export type * from './hold-store.types';
export { SweepError } from './hold-sweeper';

export interface HoldStoreDeps {
  redis: Redis;
  /** e.g. 'hf:'; tests use a random prefix per run */
  prefix: string;
  clock: Clock;
  /** how long a hold's own key (and its index) outlive its expiry; default 60 s */
  holdKeyGraceMs?: number;
  /**
   * The client's command timeout: a hold's scripts refuse to act once it has passed since they
   * were sent (the request was answered 503 by then). Absent: no deadline.
   */
  commandTimeoutMs?: number;
  /** repairs leave a slot alone this long after a consume or return moved its booked count; default 5 s */
  repairGraceMs?: number;
}

const ignore = () => undefined;
const slotIdOf = (s: { slotId: string }) => s.slotId;
const hasSeed = (x: SlotSeed | SlotRef): x is SlotSeed => 'capacity' in x;
/** Script arguments for the hold's slots: all with fresh seeds, or all bare ids (counters must exist). */
const slotArgs = (list: Array<SlotSeed | SlotRef>) => (list.every(hasSeed) ? ['seeds', ...seedArgs(list)] : ['ids', ...new Set(list.map(slotIdOf))]);

/** Holds remembered by id in this process (a few MB at most); the oldest are forgotten first. */
const LOCAL_HOLDS_MAX = 50_000;
/** How long a customer refused here is checked before the workshop script runs. */
const SUSPECT_MS = 60_000;
/** How often (real time) each process's sweeper also runs the orphan backstop. */
const ORPHAN_SCAN_MS = 60_000;

/** A hold script arrived after its deadline and did nothing (answered like a timeout: 503). */
export class LateCommandError extends Error {
  constructor() {
    super('Redis is not ready: the hold command arrived after its deadline and was not applied');
    this.name = 'LateCommandError';
  }
}

/** The Redis hold store: atomic, TTL-bound holds and per-slot counters, one Lua script per change. */
export function createHoldStore({ redis, prefix, clock, holdKeyGraceMs = 60_000, commandTimeoutMs, repairGraceMs = 5000 }: HoldStoreDeps): HoldStore {
  defineHoldCommands(redis);
  const grace = holdKeyGraceMs;
  const now = () => Math.floor(clock.now());
  // Undo work that failed (Redis away): retried each time the connection is ready again, so a
  // request answered with an error leaves nothing counting against the customer.
  const undo = new Set<() => Promise<unknown>>();
  let retrying = false;
  const settleLater = (work: () => Promise<unknown>) => {
    work().catch(() => {
      undo.add(work);
      if (!retrying) {
        retrying = true;
        redis.on('ready', () => {
          const due = [...undo];
          undo.clear();
          due.forEach(settleLater);
        });
      }
    });
  };
  // Real time (never the injected clock): it bounds how long the caller waits. Scripts compare
  // it with Redis's own clock, so it is sent in Redis time: the offset between the two clocks is
  // measured on every (re)connect and each minute, so skewed hosts (or a test's moved system
  // clock) cannot make every hold look late.
  let redisOffsetMs = 0;
  const calibrate = async () => {
    // Redis read its clock somewhere within the round trip, so each sample bounds the offset from
    // below (as if the read happened at the very end). The deadline uses the tightest of three
    // such bounds: never later than the caller's own timeout, however slow one direction of a
    // round trip was (a busy event loop, a loaded host), so a command delivered after the caller
    // gave up is always refused; at worst one arriving just before it is refused too.
    let lowest = -Infinity;
    for (let i = 0; i < 3; i++) {
      const sent = performance.now();
      const wall = Date.now();
      const [sec, micro] = await redis.time();
      const rtt = performance.now() - sent;
      lowest = Math.max(lowest, Number(sec) * 1000 + Number(micro) / 1000 - (wall + rtt));
    }
    redisOffsetMs = lowest;
  };
  const recalibrate = () => calibrate().catch(() => undefined);
  // The first command with a deadline waits for the first measurement (one round trip, once).
  const firstCalibration = commandTimeoutMs === undefined ? Promise.resolve() : recalibrate();
  if (commandTimeoutMs !== undefined) {
    redis.on('ready', () => void recalibrate());
    setInterval(() => void recalibrate(), 60_000).unref();
  }
  const deadline = async () => {
    if (commandTimeoutMs === undefined) return 0;
    await firstCalibration;
    return Math.floor(Date.now() + redisOffsetMs + commandTimeoutMs);
  };
  // Only used if the workshop's seq counter is absent (new, or lost with a Redis restart).
  const epoch = () => randomUUID();
  const due = dueKey(prefix);
  const holdKeys = (workshopId: string, holdId: string) => {
    const k = workshopKeys(prefix, workshopId);
    return [k.slots, k.meta, k.expiry, k.ledger, k.hold(holdId)];
  };
  const slotKeys = (workshopId: string) => {
    const k = workshopKeys(prefix, workshopId);
    return [k.slots, k.meta];
  };

  // The cross-slot bookkeeping cannot join the workshop script; every piece tolerates leftovers.
  const forget = async (h: HoldRecord) => {
    const member = holdMember(h.workshopId, h.id);
    local.delete(h.id);
    await Promise.all([
      redis.zrem(due, member),
      redis.zrem(customerHoldsKey(prefix, h.customerId), member),
      redis.del(holdIndexKey(prefix, h.id)),
    ]);
  };
  // After a release or consume the caller need not wait: the customer's entry goes on the same
  // connection ahead of anything the customer sends next, a due entry left over only costs a
  // sweeper a GONE check, and the index (left to its TTL) leads to a hold hash that is gone.
  const forgetSoon = (h: HoldRecord) => {
    local.delete(h.id);
    const member = holdMember(h.workshopId, h.id);
    settleLater(() => Promise.all([redis.zrem(due, member), redis.zrem(customerHoldsKey(prefix, h.customerId), member)]));
  };
  // A hold under way (hold()); the helpers take it as an argument rather than being made per hold.
  type Pending = {
    hold: HoldRecord;
    t: number;
    member: string;
    customerKey: string;
    indexKey: string;
    keys: string[];
    record: string;
    deadline: number;
    version: string;
    args: string[];
  };
  const takeUnits = (h: Pending) =>
    redis.hfHold(...h.keys, h.t, epoch(), h.record, grace, h.deadline, h.version, ...h.args).then(parseReply);
  // No deadline: a give-back must happen however late.
  const giveBack = (h: Pending) =>
    redis.hfRelease(...holdKeys(h.hold.workshopId, h.hold.id), h.t, epoch(), h.hold.id, h.hold.customerId, 0).then(parseReply);
  const dropEntries = (h: Pending) => Promise.all([redis.zrem(due, h.member), redis.del(h.indexKey)]);
  const rollback = (h: Pending) => Promise.all([redis.zrem(h.customerKey, h.member), dropEntries(h)]);
  // The request is answered with an error at once, so it must not keep anything: undo the
  // bookkeeping and release the hold itself in case it was made but its reply was lost.
  // Retried until Redis takes it.
  const abandon = (h: Pending, err: unknown): never => {
    settleLater(() => Promise.all([rollback(h), giveBack(h)]));
    throw err;
  };

  // holdId → workshopId for the holds this process made: release, extend, consume and findHold
  // skip the index read when the hold was taken here (the Redis index answers for the others).
  const local = new Map<string, string>();
  const remember = (holdId: string, workshopId: string) => {
    if (local.size >= LOCAL_HOLDS_MAX) local.delete(local.keys().next().value!);
    local.set(holdId, workshopId);
  };
  const workshopOf = async (holdId: string) => local.get(holdId) ?? (await redis.get(holdIndexKey(prefix, holdId)));
  // Customers refused (limit, rate) here lately, until when: their next holds check the customer first.
  const suspects = new Map<string, number>();
  setInterval(() => {
    const t = Date.now();
    for (const [id, until] of suspects) if (until <= t) suspects.delete(id);
  }, 60_000).unref();

  const returnBooked = async (workshopId: string, slotIds: string[]) => {
    const t = now();
    const reply = await redis.hfReturnBooked(...slotKeys(workshopId), t, epoch(), ...new Set(slotIds));
    return toChange(workshopId, JSON.parse(reply));
  };

  const sweepCtx: SweepContext = {
    redis,
    prefix,
    graceMs: grace,
    now,
    claim: async (workshopId, holdId, t) =>
      parseReply(await redis.hfClaim(...holdKeys(workshopId, holdId), t, epoch(), holdId)),
    forget,
    workshops: () => workshopsWithCounters(),
  };
  const sweep = (limit = 100) => sweepDue(sweepCtx, limit);
  const orphans = (limit = 100) => sweepOrphans(sweepCtx, limit);
  // The sweeper loop runs the backstop too, every ORPHAN_SCAN_MS of real time.
  let lastOrphanScan = 0;
  const sweepWithBackstop = async (limit: number) => {
    const released = await sweep(limit);
    if (Date.now() - lastOrphanScan < ORPHAN_SCAN_MS) return released;
    lastOrphanScan = Date.now();
    try {
      return [...released, ...(await orphans(limit))];
    } catch (err) {
      if (err instanceof SweepError) throw new SweepError(err.errors, [...released, ...err.released]);
      throw err;
    }
  };
  async function workshopsWithCounters() {
    const head = `${prefix}{w:`;
    const pattern = `${head.replace(/[*?[\]\\]/g, '\\$&')}*}:slots`;
    const ids = new Set<string>();
    for await (const keys of scanKeys(redis, pattern)) {
      for (const k of keys) ids.add(k.slice(head.length, -'}:slots'.length));
    }
    return [...ids];
  }

  return {
    async hold(input) {
      const { workshopId, serviceId, customerId, slots, ttlMs, maxActivePerCustomer, options = {}, quote, services, version = '', rate } = input;
      if (slots.length === 0) throw new RangeError('hold store: a hold needs at least one slot');
      if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError('hold store: ttlMs must be a positive integer');
      const t = now();
      const hold: HoldRecord = {
        id: randomUUID(),
        workshopId,
        customerId,
        serviceId,
        slotIds: slots.map(slotIdOf),
        expiresAt: t + ttlMs,
        createdAt: t,
        extensions: 0,
        options,
        ...(quote ? { quote } : {}),
        ...(services ? { services } : {}),
      };
      // Everything the helpers below need, so none of them is a closure made per hold.
      const h: Pending = {
        hold,
        t,
        member: holdMember(workshopId, hold.id),
        customerKey: customerHoldsKey(prefix, customerId),
        indexKey: holdIndexKey(prefix, hold.id),
        keys: [...holdKeys(workshopId, hold.id), workshopKeys(prefix, workshopId).schedule],
        record: JSON.stringify({
          ...hold,
          options: JSON.stringify(options),
          ...(quote ? { quote: JSON.stringify(quote) } : {}),
          ...(services ? { services: JSON.stringify(services) } : {}),
        }),
        deadline: await deadline(),
        version,
        args: slotArgs(slots),
      };

      // One round trip: the due entry, the index, the customer's script ({c:}) and the workshop's
      // ({w:}) are all sent in this tick (auto-pipelining), none awaited before the next. On one
      // Redis they run in this order, so the due entry exists before the hold; on a cluster the
      // sweeper's scan of each workshop's own expiry set is the backstop (hold-sweeper.ts).
      // A customer this process saw refused lately is checked first instead: undoing a hold
      // taken beside a refusal would cost two published changes.
      const bookkeeping = Promise.all([redis.zadd(due, hold.expiresAt, h.member), redis.set(h.indexKey, workshopId, 'PX', ttlMs + grace)]);
      const admitted = redis.hfAdmit(h.customerKey, customerHoldRateKey(prefix, customerId), t, maxActivePerCustomer, h.member, hold.expiresAt, grace, h.deadline, rate?.points ?? 0, rate?.windowMs ?? 0);
      const careful = (suspects.get(customerId) ?? 0) > Date.now();
      let taken: Promise<ScriptReply> | undefined = careful ? undefined : takeUnits(h);
      let admit: [number, number];
      let reply: ScriptReply | undefined;
      try {
        [, admit] = await Promise.all([bookkeeping, admitted]);
        if (taken) reply = await taken;
        else if (Number(admit[0]) === 1) reply = await (taken = takeUnits(h));
      } catch (err) {
        taken?.catch(ignore);
        return abandon(h, err);
      }
      const code = Number(admit[0]);
      if (code !== 1) {
        if (code !== -1) suspects.set(customerId, Date.now() + SUSPECT_MS);
        // The customer was refused (or late): give back whatever the workshop script took.
        let undone: Change[] | undefined;
        if (reply?.ok) {
          let back;
          try {
            back = await giveBack(h);
          } catch (err) {
            return abandon(h, err);
          }
          if (back.ok) undone = [toChange(workshopId, reply.change), toChange(workshopId, back.change)];
        }
        await dropEntries(h).catch(ignore);
        if (code === -1) throw new LateCommandError();
        if (code === -2) return { ok: false, code: 'RATE_LIMITED', retryAfterMs: Math.max(1, Number(admit[1])), ...(undone ? { undone } : {}) };
        return { ok: false, code: 'HOLD_LIMIT', ...(undone ? { undone } : {}) };
      }
      if (reply && !reply.ok && reply.code === 'NEED_SEED') {
        // Counters absent (new slots, or lost with Redis): seeded from Postgres rows read now.
        try {
          if (!input.loadSeeds) throw new Error('hold store: slot counters are absent and no seeds were given');
          const fresh = new Map((await input.loadSeeds(hold.slotIds)).map((f) => [f.slotId, f]));
          const seeds = hold.slotIds.map((id) => fresh.get(id));
          if (seeds.some((x) => !x)) reply = { ok: false, code: 'SLOT_UNAVAILABLE' };
          else {
            h.args = slotArgs(seeds as SlotSeed[]);
            reply = await takeUnits(h);
          }
        } catch (err) {
          return abandon(h, err);
        }
      }
      if (!reply || !reply.ok) {
        await rollback(h).catch(ignore);
        if (reply?.code === 'LATE') throw new LateCommandError();
        if (reply?.code === 'STALE') return { ok: false, code: 'STALE' };
        return { ok: false, code: 'SLOT_UNAVAILABLE', ...(reply?.slotId ? { slotId: reply.slotId } : {}) };
      }
      if (careful) suspects.delete(customerId);
      remember(hold.id, workshopId);
      return { ok: true, hold: toHold(reply.hold), change: toChange(workshopId, reply.change) };
    },

    async release(holdId, customerId): Promise<ReleaseResult> {
      const workshopId = await workshopOf(holdId);
      if (!workshopId) return { ok: false, code: 'NOT_FOUND' };
      const reply = parseReply(await redis.hfRelease(...holdKeys(workshopId, holdId), now(), epoch(), holdId, customerId, await deadline()));
      if (!reply.ok && reply.code === 'LATE') throw new LateCommandError();
      if (!reply.ok) return { ok: false, code: reply.code as 'NOT_FOUND' | 'FORBIDDEN' };
      const hold = toHold(reply.hold);
      forgetSoon(hold);
      return { ok: true, hold, change: toChange(workshopId, reply.change) };
    },

    async extend(holdId, customerId, { ttlMs, maxExtensions, maxLifeMs }): Promise<ExtendResult> {
      const workshopId = await workshopOf(holdId);
      if (!workshopId) return { ok: false, code: 'NOT_FOUND' };
      const t = now();
      const keys = holdKeys(workshopId, holdId);
      const reply = parseReply(
        await redis.hfExtend(...keys, t, epoch(), holdId, customerId, ttlMs, maxExtensions, maxLifeMs, grace, await deadline()),
      );
      if (!reply.ok && reply.code === 'LATE') throw new LateCommandError();
      if (!reply.ok) return { ok: false, code: reply.code as Exclude<ExtendResult, { ok: true }>['code'] };
      const hold = toHold(reply.hold);
      const member = holdMember(workshopId, holdId);
      await Promise.all([
        redis.zadd(due, hold.expiresAt, member),
        redis.hfTouch(customerHoldsKey(prefix, customerId), t, member, hold.expiresAt, grace),
        redis.pexpire(holdIndexKey(prefix, holdId), hold.expiresAt - t + grace),
      ]);
      return { ok: true, hold, change: toChange(workshopId, reply.change) };
    },

    async consume(holdId, customerId): Promise<ConsumeResult> {
      const workshopId = await workshopOf(holdId);
      if (!workshopId) return { ok: false, code: 'NOT_FOUND' };
      const reply = parseReply(await redis.hfConsume(...holdKeys(workshopId, holdId), now(), epoch(), holdId, customerId, await deadline()));
      if (!reply.ok && reply.code === 'LATE') throw new LateCommandError();
      if (!reply.ok && reply.code !== 'HOLD_EXPIRED') return { ok: false, code: reply.code as 'NOT_FOUND' | 'FORBIDDEN' };
      const hold = toHold(reply.hold);
      forgetSoon(hold);
      const change = toChange(workshopId, reply.change);
      return reply.ok ? { ok: true, hold, change } : { ok: false, code: 'HOLD_EXPIRED', hold, change };
    },

    returnBooked,

    async resync(workshopId, seeds) {
      const reply = await redis.hfResync(...slotKeys(workshopId), now(), epoch(), ...seedArgs(seeds));
      return toChange(workshopId, JSON.parse(reply));
    },

    async repair(workshopId, seeds) {
      // Chunked like snapshots, so one script call stays short however big the workshop.
      const changes: Change[] = [];
      let deferred = 0;
      for (const chunk of chunked(seeds, SNAPSHOT_CHUNK)) {
        const reply = JSON.parse(await redis.hfRepair(...slotKeys(workshopId), now(), epoch(), repairGraceMs, ...seedArgs(chunk)));
        deferred += Number(reply.deferred ?? 0);
        if (!reply.unchanged) changes.push(toChange(workshopId, reply));
      }
      return { changes, deferred };
    },

    // Chunked (slot-counters.ts): one script call never reads more than SNAPSHOT_CHUNK slots.
    snapshot: (workshopId, seeds) =>
      chunkedSnapshot(seeds, async (chunk) => {
        const raw = JSON.parse(await redis.hfSnapshot(...slotKeys(workshopId), now(), epoch(), repairGraceMs, ...seedArgs(chunk)));
        const snap = toChange(workshopId, raw);
        return { seq: snap.seq, epoch: snap.epoch, slots: snap.slots.map(toCounts), repaired: raw.repaired ? [toChange(workshopId, raw.repaired)] : [] };
      }),

    async seedAbsent(workshopId, seeds) {
      for (const chunk of chunked(seeds, SNAPSHOT_CHUNK)) await redis.hfSeedAbsent(...slotKeys(workshopId), now(), epoch(), ...seedArgs(chunk));
    },

    scheduleVersion: (workshopId) => scheduleVersion(redis, workshopKeys(prefix, workshopId)),
    bumpSchedule: (workshopId) => bumpScheduleVersion(redis, workshopKeys(prefix, workshopId)),
    prune: (workshopId, stillLive) => pruneSlotCounters(redis, workshopKeys(prefix, workshopId), stillLive),

    async findHold(holdId) {
      const workshopId = await workshopOf(holdId);
      if (!workshopId) return null;
      return holdFromHash(holdId, await redis.hgetall(workshopKeys(prefix, workshopId).hold(holdId)));
    },

    async activeHolds(customerId) {
      const t = now();
      const members = await redis.zrangebyscore(customerHoldsKey(prefix, customerId), `(${t}`, '+inf');
      const holds = await Promise.all(
        members.map(async (m) => {
          const { workshopId, holdId } = parseHoldMember(m);
          return holdFromHash(holdId, await redis.hgetall(workshopKeys(prefix, workshopId).hold(holdId)));
        }),
      );
      return holds.filter((h): h is HoldRecord => h !== null && h.expiresAt > t);
    },

    sweep,
    sweepOrphans: orphans,
    startSweeper: (opts) => runSweeper(sweepWithBackstop, opts),

    workshopsWithCounters,

    async activeHoldCount(workshopId) {
      return redis.zcount(workshopKeys(prefix, workshopId).expiry, `(${now()}`, '+inf');
    },
  };
}
