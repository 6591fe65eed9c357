import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { rooms } from '@shared/realtime/rooms';
import type { Board } from '../domain/board';
import type { Metrics } from '../metrics/metrics';
import type { Presence } from './presence';
import type { RealtimeIo } from './types';

/*
 * Pushes the admin board. `board:changed` goes out at most once per throttle window for the
 * whole cluster: the process that wins a Redis `SET NX PX` lock computes and emits; a
 * process that loses retries when the lock runs out, so a change is never left unshown.
 * `board:snapshot` goes out periodically the same way (rates and ages move without changes).
 * Nothing is computed while no admin anywhere watches.
 */
export function createBoardFeed(deps: {
  io: RealtimeIo;
  redis: Redis;
  prefix: string;
  procId: string;
  board: Board;
  presence: Presence;
  metrics: Metrics;
  logger: Logger;
  throttleMs?: number;
  snapshotEveryMs?: number;
}) {
  const throttleMs = deps.throttleMs ?? 500;
  const snapshotEveryMs = deps.snapshotEveryMs ?? 5000;
  const lockKey = `${deps.prefix}rt:board:changed`;
  const tickKey = `${deps.prefix}rt:board:snapshot`;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  async function push(event: 'board:changed' | 'board:snapshot') {
    const { admins } = await deps.presence.read();
    if (admins === 0 || closed) return;
    const snapshot = await deps.board.snapshot();
    if (closed) return;
    deps.io.to(rooms.admin).emit(event, snapshot);
    deps.metrics.emitted(event);
  }

  async function attempt() {
    timer = undefined;
    if (closed) return;
    const won = await deps.redis.set(lockKey, deps.procId, 'PX', throttleMs, 'NX');
    if (won) return push('board:changed');
    const left = await deps.redis.pttl(lockKey);
    schedule(Math.max(10, left > 0 ? left : 10));
  }

  function schedule(ms: number) {
    if (timer || closed) return;
    timer = setTimeout(() => {
      track(attempt().catch((err) => deps.logger.warn({ err }, 'board push failed')));
    }, ms);
    timer.unref();
  }

  const ticker = setInterval(() => {
    track((async () => {
      if (closed) return;
      // Leave a little slack so one process's tick does not miss the next window by a hair.
      const won = await deps.redis.set(tickKey, deps.procId, 'PX', Math.max(100, snapshotEveryMs - 100), 'NX');
      if (won) await push('board:snapshot');
    })().catch((err) => deps.logger.warn({ err }, 'board snapshot failed')));
  }, snapshotEveryMs);
  ticker.unref();

  return {
    /** Something on the board changed here: push it soon (coalesced and throttled). */
    changed: () => schedule(0),
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(ticker);
      await Promise.all(inFlight);
    },
  };
}

export type BoardFeed = ReturnType<typeof createBoardFeed>;
