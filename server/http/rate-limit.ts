import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../domain/errors';
import type { AppEnv } from './context';

export interface LimitSpec {
  name: string;
  points: number;
  durationSec: number;
}

/** One spelling per address: IPv4 clients of a dual-stack socket show up as `::ffff:1.2.3.4`. */
export const normalizeAddress = (address: string | undefined) => (address ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** The caller's address; falls back to a constant where there is no socket (app.request in tests). */
export function clientAddress(c: Context): string {
  try {
    return normalizeAddress(getConnInfo(c).remote.address);
  } catch {
    return 'local';
  }
}

/** The name of the per-address snapshot budget shared by HTTP availability and `workshop:watch`. */
export const AVAILABILITY_LIMIT = 'availability';

/** Takes one point for `key` or throws RATE_LIMITED (with retryAfterSec). */
export type Limiter = (key: string) => Promise<void>;

/**
 * A Redis-backed limiter, shared by every process. Two limiters with the same name and prefix
 * share one budget per key (the HTTP and socket availability limits do).
 */
export function createLimiter(redis: Redis, prefix: string, spec: LimitSpec): Limiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rl:${spec.name}`,
    points: spec.points,
    duration: spec.durationSec,
  });
  return async (key) => {
    try {
      await limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        const retryAfterSec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new DomainError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSec} s`, { retryAfterSec });
      }
      throw res;
    }
  };
}

/** A limiter as Hono middleware answering 429 RATE_LIMITED (with Retry-After, see on-error). */
export function rateLimit(redis: Redis, prefix: string, spec: LimitSpec, keyOf: (c: Context<AppEnv>) => string = clientAddress) {
  const consume = createLimiter(redis, prefix, spec);
  return createMiddleware<AppEnv>(async (c, next) => {
    await consume(keyOf(c));
    await next();
  });
}
