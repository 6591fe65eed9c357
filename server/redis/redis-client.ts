import { once } from 'node:events';
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisTimeouts {
  /** A command not answered within this rejects (the request answers 503 instead of hanging). */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * Fail-fast client options: while Redis is away commands fail at once instead of queueing
 * (no offline queue), commands caught by a dropped connection are failed, never resent after
 * a reconnect (a request answered 503 must not run later), and reconnects go on forever.
 */
export function failFastOptions(t: RedisTimeouts): RedisOptions {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: t.commandTimeoutMs,
    connectTimeout: t.connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  };
}

/** Where Redis is: one server (REDIS_URL) or a Redis Cluster's seed nodes (REDIS_CLUSTER_NODES). */
export type RedisTarget = { url: string } | { clusterNodes: ClusterNode[] };

/**
 * A command client with the fail-fast options, for one server or a whole Redis Cluster.
 *
 * Typed as `Redis` for both: an ioredis `Cluster` answers the same commands (routing each one,
 * script or pipeline by its keys' hash slot), and every multi-key command and script of ours
 * stays in one slot (`{w:…}` / `{c:…}` tags). What only a single server can do, a SCAN of the
 * whole keyspace, goes through `scanKeys`, which knows the difference.
 */
export function createRedis(target: RedisTarget, options: RedisOptions): Redis {
  if ('url' in target) return new Redis(target.url, options);
  const { enableAutoPipelining, ...perNode } = options;
  const cluster = new Cluster(target.clusterNodes, {
    // Fail fast here too: nothing queues while the cluster is unreachable or its slot map unknown.
    enableOfflineQueue: false,
    enableAutoPipelining,
    redisOptions: perNode,
    clusterRetryStrategy: options.retryStrategy,
    // A MOVED/ASK/TRYAGAIN reply means the command did not run, so following it is not a resend.
    // A cluster that is down fails the command at once, like a lost single server, and a command
    // caught by a dropped connection is failed, never resent (0 turns both of those retries off:
    // it may have run already).
    retryDelayOnClusterDown: 0,
    retryDelayOnFailover: 0,
    retryDelayOnTryAgain: 0,
    maxRedirections: 4,
    slotsRefreshTimeout: options.connectTimeout,
  });
  return cluster as unknown as Redis;
}

/** The client is a Redis Cluster one (see createRedis). */
export function isCluster(client: Redis): boolean {
  return (client as unknown as Cluster).isCluster === true;
}

/**
 * Every key matching `pattern` (a SCAN MATCH glob): SCAN walks one server's keyspace, so on a
 * cluster every master is scanned. A key may be reported more than once; callers dedupe.
 */
export async function* scanKeys(client: Redis, pattern: string, count = 500): AsyncIterable<string[]> {
  const servers = isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client];
  for (const server of servers) {
    for await (const keys of server.scanStream({ match: pattern, count }) as AsyncIterable<string[]>) yield keys;
  }
}

/**
 * Logs a client's errors (an ioredis client without an 'error' listener prints every failed
 * reconnect) once per outage, and the recovery.
 */
export function watchRedis(client: Redis, name: string, logger: Logger): void {
  // A cluster client reports a node's failures as 'node error' as well; its 'error' covers the rest.
  if (isCluster(client)) client.on('node error', (err: unknown, node: string) => logger.debug({ err, node, client: name }, 'redis cluster node error'));
  let down = false;
  client.on('error', (err) => {
    if (down) return;
    down = true;
    logger.warn({ err, client: name }, 'redis unavailable');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ client: name }, 'redis back');
  });
}

/** Without an offline queue nothing may be sent before the first 'ready'; fails on the first error. */
export async function untilReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await once(client, 'ready'); // rejects on 'error'
}

/** QUIT when connected, else just stop reconnecting (a QUIT cannot be sent during an outage). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      /* fall through */
    }
  }
  client.disconnect();
}
