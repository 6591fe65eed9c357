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

/** The caller's address; falls back to a constant where there is no socket (app.request in tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}

/** A Redis-backed limiter (shared by every process) as Hono middleware answering 429 RATE_LIMITED. */
export function rateLimit(redis: Redis, prefix: string, spec: LimitSpec, keyOf: (c: Context<AppEnv>) => string = clientAddress) {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rl:${spec.name}`,
    points: spec.points,
    duration: spec.durationSec,
  });
  return createMiddleware<AppEnv>(async (c, next) => {
    try {
      await limiter.consume(keyOf(c));
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        const retryAfterSec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new DomainError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSec} s`, { retryAfterSec });
      }
      throw res;
    }
    await next();
  });
}
