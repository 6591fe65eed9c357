import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { rooms } from '@shared/realtime/rooms';
import type { SessionGuard } from '../auth/session-guard';
import type { Principal } from '../domain/actor';
import type { Availability } from '../domain/availability';
import type { Board } from '../domain/board';
import type { BoardCounters, BoardPresence } from '../domain/board-ports';
import type { Clock } from '../domain/clock';
import type { Metrics } from '../metrics/metrics';
import { createBoardCounters } from './board-counters';
import { createBoardFeed } from './board-feed';
import { createPresence } from './presence';
import { createRealtimePublisher, type RealtimePublisher } from './publisher';
import { authenticate } from './socket-auth';
import { registerHandlers } from './socket-handlers';
import { closeRedis, createRedis, isCluster, untilReady, watchRedis, type RedisTarget } from '../redis/redis-client';
import type { RealtimeIo } from './types';

/** What the realtime hub needs from the rest of the application: narrow ports, given at creation. */
export interface RealtimePorts {
  /** Availability as a viewer may see it (the same assembly HTTP uses). */
  availability: Pick<Availability, 'window' | 'forViewer'>;
  /** The workshops a workshop-side account works in, as owner or staff (its `vendor:` rooms at connection). */
  vendorWorkshops(p: Principal): Promise<string[]>;
  /** Who owns a workshop: a vendor gets bookings of a workshop created after it connected. */
  ownerOf(workshopId: string): Promise<string | null>;
  /**
   * Takes one snapshot from the budget of the socket's remote address (as the socket reports it),
   * the same budget HTTP availability reads spend, or throws RATE_LIMITED.
   */
  limitSnapshot(address: string): Promise<void>;
  /** Composes the admin board from the presence and counters this hub keeps (runtime.ts decides the rest). */
  board(parts: { presence: BoardPresence; counters: BoardCounters }): Board;
}

export interface RealtimeDeps {
  /** The Redis server or cluster the adapter's pub/sub clients connect to. */
  redisTarget: RedisTarget;
  /** Options of the adapter's pub/sub clients (the process's fail-fast options). */
  redisOptions?: RedisOptions;
  /**
   * SOCKET_LONG_POLLING: accept the HTTP long-polling transport besides WebSocket. It needs
   * sticky sessions (env.ts refuses it with several workers); off, a socket is one connection.
   */
  longPolling?: boolean;
  /** REDIS_PREFIX: keys and the adapter's channels, so two deployments (or test runs) on one Redis never mix. */
  prefix: string;
  /** The process's command connection (presence, counters, locks); pub/sub get their own. */
  redis: Redis;
  guard: SessionGuard;
  /** How often each process re-checks its sockets' sessions (role change, suspension, deletion). */
  recheckMs: number;
  /** TRUST_PROXY: X-Forwarded-Host names our origin in the handshake's cookie check. */
  trustProxy: boolean;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  ports: RealtimePorts;
  /** Largest accepted client message; a bigger one closes that connection. Default 64 KB. */
  maxMessageBytes?: number;
  boardThrottleMs?: number;
  boardSnapshotEveryMs?: number;
}

export interface Realtime {
  io: RealtimeIo;
  publisher: RealtimePublisher;
  board: Board;
  /** Starts accepting sockets on the HTTP server's port. */
  attach(server: HttpServer | Http2Server | Http2SecureServer): void;
  /** Disconnects sockets and stops the engine; note that io.close() also closes the HTTP server. */
  close(): Promise<void>;
}

/**
 * Resolves once `sub` receives a message on `channel`: its connection handles commands in order,
 * so every SUBSCRIBE sent before is active by then. Publishes until heard (the first may precede
 * the subscription); gives up after `timeoutMs` like a failed PING would.
 */
async function subscribedProbe(pub: Redis, sub: Redis, channel: string, timeoutMs = 5000): Promise<void> {
  let heard!: () => void;
  const arrived = new Promise<void>((resolve) => (heard = resolve));
  const onMessage = (ch: string) => ch === channel && heard();
  sub.on('message', onMessage);
  try {
    await sub.subscribe(channel);
    const deadline = Date.now() + timeoutMs;
    for (let got = false; !got; ) {
      if (Date.now() > deadline) throw new Error('redis cluster: the adapter subscription never answered');
      await pub.publish(channel, 'probe');
      got = await Promise.race([arrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
    }
  } finally {
    sub.off('message', onMessage);
    await sub.unsubscribe(channel).catch(() => undefined);
  }
}

/**
 * Socket.IO with the Redis adapter: created by the composition root after the services (it
 * reaches them only through `ports`), subscribed to the domain's events there, and attached to
 * the HTTP server once it listens.
 */
export async function createRealtime(deps: RealtimeDeps): Promise<Realtime> {
  const { logger, metrics } = deps;
  const procId = randomUUID();
  const pub = createRedis(deps.redisTarget, deps.redisOptions ?? {});
  const sub = pub.duplicate();
  // Listeners keep an outage from crashing the process; both reconnect (and resubscribe) alone.
  watchRedis(pub, 'socket.io pub', logger);
  watchRedis(sub, 'socket.io sub', logger);
  try {
    // Without an offline queue the adapter's SUBSCRIBEs need a ready connection.
    await Promise.all([untilReady(pub), untilReady(sub)]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw err;
  }
  // The adapter never handles a failed PUBLISH or (UN)SUBSCRIBE (its close() unsubscribes);
  // unhandled, a Redis outage would crash the process.
  const quiet = (client: Redis, methods: string[]) =>
    new Proxy(client, {
      get(target, prop) {
        const v: unknown = Reflect.get(target, prop, target);
        if (typeof v !== 'function') return v;
        if (typeof prop === 'string' && methods.includes(prop)) {
          return (...args: unknown[]) =>
            (v as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((err: unknown) => logger.warn({ err, command: prop }, 'socket.io redis command failed'));
        }
        return v.bind(target);
      },
    });
  const safePub = quiet(pub, ['publish']);
  const safeSub = quiet(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);

  const io: RealtimeIo = new Server({
    adapter: createAdapter(safePub, safeSub, { key: `${deps.prefix}socket.io` }),
    // Fan-out cost grows with watchers; compression would multiply it.
    perMessageDeflate: false,
    maxHttpBufferSize: deps.maxMessageBytes ?? 64 * 1024,
    serveClient: false,
    // WebSocket only unless asked: a long-polling socket's requests must all reach one process.
    transports: deps.longPolling ? ['polling', 'websocket'] : ['websocket'],
  });
  // The adapter subscribed without waiting; PING answers after those SUBSCRIBEs, so once it
  // does, broadcasts from other processes reach this one. A cluster client sends PING on a
  // command connection, not on its subscriber one: there a probe message must come back.
  if (isCluster(sub)) await subscribedProbe(pub, sub, `${deps.prefix}socket.io-probe#${procId}`);
  else await sub.ping();

  const presence = createPresence({ io, redis: deps.redis, prefix: deps.prefix, procId, logger });
  // Counts land in Redis every 500 ms; then the live board is pushed again (feed is assigned by then).
  const counters = createBoardCounters({ redis: deps.redis, prefix: deps.prefix, logger, flushed: () => feed.changed() });
  const board = deps.ports.board({ presence, counters });
  const feed = createBoardFeed({
    io, redis: deps.redis, prefix: deps.prefix, procId, board, presence, metrics, logger,
    throttleMs: deps.boardThrottleMs, snapshotEveryMs: deps.boardSnapshotEveryMs,
  });
  const publisher = createRealtimePublisher({ io, clock: deps.clock, counters, metrics, boardChanged: feed.changed, ownerOf: deps.ports.ownerOf, logger });
  metrics.countSocketsWith(() => io.of('/').sockets.size);

  const membershipChanged = async () => {
    feed.changed();
    await presence.changed();
  };
  let attached = false;
  io.use(authenticate({ guard: deps.guard, trustProxy: deps.trustProxy, vendorWorkshops: deps.ports.vendorWorkshops, logger }));

  // Ended here (logout, password change, suspension): this process's cache forgets at once, the
  // other processes hear it through the adapter, and the sessions' sockets close everywhere.
  deps.guard.onEnded((e) => {
    io.serverSideEmit('sessionsEnded', e);
    io.in(e.sids.map((sid) => rooms.session(sid))).disconnectSockets(true);
  });
  io.on('sessionsEnded', (e) => deps.guard.forget(e));

  // What the database changed by other means (a role, a deletion) reaches sockets within a window.
  const recheck = async () => {
    const signedIn = [...io.of('/').sockets.values()].filter((s) => s.data.principal && s.data.sid);
    if (!signedIn.length) return;
    const pairs = new Map(signedIn.map((s) => [s.data.sid!, { sid: s.data.sid!, userId: s.data.principal!.id }]));
    // One query for every session not cached; a database hiccup is not a sign-out (next round).
    const now = await deps.guard.checkMany([...pairs.values()]).catch(() => null);
    if (!now) return;
    for (const socket of signedIn) {
      const p = now.get(socket.data.sid!);
      // Rooms were chosen for the old role: a fresh connection gets the right ones (or none).
      if (!p || p.role !== socket.data.principal!.role) socket.disconnect(true);
    }
    // Staff removal moves rooms at once (publisher.staffAccess); this closes the one gap, a socket
    // whose handshake read its workshops just before a removal it then missed.
    const desks = signedIn.filter((s) => s.connected && [...s.rooms].some((r) => r.startsWith(rooms.vendor(''))));
    const byUser = new Map<string, typeof desks>();
    for (const s of desks) byUser.set(s.data.principal!.id, [...(byUser.get(s.data.principal!.id) ?? []), s]);
    for (const [, list] of byUser) {
      const current = await deps.ports.vendorWorkshops(list[0]!.data.principal!).catch(() => null);
      if (!current) continue;
      const allowed = new Set(current.map((id) => rooms.vendor(id)));
      for (const s of list) for (const r of s.rooms) if (r.startsWith(rooms.vendor('')) && !allowed.has(r as ReturnType<typeof rooms.vendor>)) s.leave(r);
    }
  };
  let rechecking = false;
  const recheckTimer = setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    void recheck().finally(() => (rechecking = false));
  }, Math.max(250, deps.recheckMs));
  recheckTimer.unref();

  return {
    io,
    publisher,
    board,
    attach(server) {
      io.on('connection', (socket) => {
        const { principal, sid, vendorOf } = socket.data;
        // Personal rooms come from the token, never from the client (PROTOCOL.md, Rooms).
        if (principal && sid) socket.join([rooms.user(principal.id), rooms.session(sid), ...vendorOf.map((id) => rooms.vendor(id))]);
        registerHandlers(socket, { availability: deps.ports.availability, board, membershipChanged, limitSnapshot: deps.ports.limitSnapshot, logger });
        socket.on('error', (err) => logger.debug({ err }, 'socket error'));
        socket.on('disconnect', () => void membershipChanged());
        void membershipChanged();
      });
      io.attach(server);
      attached = true;
    },
    async close() {
      clearInterval(recheckTimer);
      publisher.close();
      await counters.close();
      await feed.close();
      if (attached) await io.close();
      else await io.of('/').adapter.close();
      await presence.close();
      await Promise.allSettled([closeRedis(pub), closeRedis(sub)]);
    },
  };
}
