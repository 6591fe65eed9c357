import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
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

/**
 * Logs a client's errors (an ioredis client without an 'error' listener prints every failed
 * reconnect) once per outage, and the recovery.
 */
export function watchRedis(client: Redis, name: string, logger: Logger): void {
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
