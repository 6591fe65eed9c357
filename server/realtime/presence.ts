import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { rooms } from '@shared/realtime/rooms';
import type { BoardPresence, PresenceTotals } from '../domain/board-ports';
import type { RealtimeIo } from './types';

/*
 * Who is connected, across processes. Each process writes its own local counts (sockets,
 * admins, watchers per workshop — read from its adapter's room map) into one Redis hash
 * with a TTL, and lists itself in a zset scored by that expiry. The board sums the live
 * hashes. A crashed process's counts vanish with its TTL instead of drifting for ever,
 * which plain INCR/DECR counters would do; and rewriting the whole hash heals any miss.
 */

const WORKSHOP_ROOM = rooms.workshop('');

export interface Presence extends BoardPresence {
  /** Membership changed here: rewrite this process's hash soon (coalesced); resolves once written. */
  changed(): Promise<void>;
  close(): Promise<void>;
}

export function createPresence(deps: { io: RealtimeIo; redis: Redis; prefix: string; procId: string; logger: Logger; ttlMs?: number }): Presence {
  const ttlMs = deps.ttlMs ?? 30_000;
  // One hash tag for the process list and every process's hash: the MULTI below and the read's
  // pipeline touch several of them, which a Redis Cluster only allows within one hash slot.
  const procs = `${deps.prefix}{rt:presence}:procs`;
  const hashOf = (procId: string) => `${deps.prefix}{rt:presence}:${procId}`;
  const mine = hashOf(deps.procId);
  let closed = false;
  let queued: Promise<void> | null = null;
  let writing: Promise<void> = Promise.resolve();

  function localCounts(): Record<string, number> {
    const nsp = deps.io.of('/');
    const fields: Record<string, number> = { sockets: nsp.sockets.size, admins: nsp.adapter.rooms.get(rooms.admin)?.size ?? 0 };
    for (const [room, members] of nsp.adapter.rooms) {
      if (room.startsWith(WORKSHOP_ROOM)) fields[`w:${room.slice(WORKSHOP_ROOM.length)}`] = members.size;
    }
    return fields;
  }

  async function write() {
    if (closed) return;
    // Counted at write time, so every change made before this point is included.
    await deps.redis
      .multi()
      .del(mine)
      .hset(mine, localCounts())
      .pexpire(mine, ttlMs)
      .zadd(procs, Date.now() + ttlMs, deps.procId)
      .exec();
  }

  function changed(): Promise<void> {
    queued ??= writing
      .then(() => new Promise<void>((r) => setImmediate(r)))
      .then(() => {
        queued = null;
        writing = write().catch((err) => deps.logger.warn({ err }, 'presence write failed'));
        return writing;
      });
    return queued;
  }

  // Refresh well within the TTL; the rewrite also repairs a write that failed earlier.
  const heartbeat = setInterval(() => void changed(), Math.max(1000, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  void changed();

  return {
    changed,
    async read(): Promise<PresenceTotals> {
      // Process ids whose hash can no longer be alive go first, so the list stays short.
      await deps.redis.zremrangebyscore(procs, '-inf', Date.now());
      const ids = await deps.redis.zrange(procs, '0', '-1');
      const pipe = deps.redis.pipeline();
      for (const id of ids) pipe.hgetall(hashOf(id));
      const replies = ids.length ? ((await pipe.exec()) ?? []) : [];
      const totals: PresenceTotals = { sockets: 0, admins: 0, watchers: new Map() };
      for (const [err, hash] of replies) {
        if (err || !hash) continue;
        for (const [field, raw] of Object.entries(hash as Record<string, string>)) {
          const n = Number(raw) || 0;
          if (field === 'sockets') totals.sockets += n;
          else if (field === 'admins') totals.admins += n;
          else if (field.startsWith('w:')) totals.watchers.set(field.slice(2), (totals.watchers.get(field.slice(2)) ?? 0) + n);
        }
      }
      return totals;
    },
    async close() {
      clearInterval(heartbeat);
      closed = true; // writes still queued become no-ops: the hash is deleted below anyway
      await queued;
      await writing;
      await deps.redis.multi().del(mine).zrem(procs, deps.procId).exec().catch(() => undefined);
    },
  };
}
