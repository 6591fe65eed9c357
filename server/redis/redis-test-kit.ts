import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { Clock } from '../domain/clock';
import { createHoldStore } from './hold-store';
import type { HoldStore, SlotCounts } from './hold-store.types';

/** Test support: real Redis, one random key prefix per test file, everything removed afterwards. */
export function redisTestKit() {
  // The run's Redis and key prefix (TEST_REDIS_URL, see global-setup), plus one namespace per file.
  const url = inject('redisUrl');
  const prefix = `${inject('redisPrefix')}kit-${randomUUID().slice(0, 8)}:`;
  const clients: Redis[] = [];

  const connect = () => {
    const r = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
    clients.push(r);
    return r;
  };
  /** A store on its own connection, as a separate process would have. */
  const store = (clock: Clock, holdKeyGraceMs?: number): HoldStore =>
    createHoldStore({ redis: connect(), prefix, clock, ...(holdKeyGraceMs ? { holdKeyGraceMs } : {}) });

  /** Deletes keys matching `${prefix}${pattern}`; other runs share this Redis, so never FLUSH. */
  const deleteKeys = async (pattern = '*') => {
    const r = clients[0] ?? connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await r.del(...keys);
    } while (cursor !== '0');
    return deleted;
  };

  const close = async () => {
    await deleteKeys();
    await Promise.all(clients.map((c) => c.quit()));
  };

  return { prefix, connect, store, deleteKeys, close };
}

/** The invariant every slot must keep, whatever raced: c = b + h + free, nothing negative. */
export function expectConsistent(s: SlotCounts): void {
  const ok =
    s.free >= 0 && s.held >= 0 && s.booked >= 0 && s.capacity === s.booked + s.held + s.free;
  if (!ok) throw new Error(`inconsistent slot counts: ${JSON.stringify(s)}`);
}

let seq = 0;
/** Unique ids per test, so tests in one file never share workshops, slots or customers. */
export const uid = (kind: string) => `${kind}-${++seq}-${randomUUID().slice(0, 6)}`;
