import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import type { ErrorCode } from '@shared/errors';
import { DomainError } from '../domain/errors';
import type { AppEnv } from './context';
import { STATUS_OF } from './error-status';
import { validationFailed } from '../validation-error';
import { isStoreUnavailable } from '../store-errors';

/** Seconds a client should wait before retrying after a store outage answer. */
export const RETRY_AFTER_SEC = 1;

function unavailable(c: Context<AppEnv>) {
  c.header('Retry-After', String(RETRY_AFTER_SEC));
  return c.json(body('SERVICE_UNAVAILABLE', 'The service is briefly unavailable; try again shortly'), 503);
}

function body(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Central error mapping: domain codes → statuses; anything unexpected is logged and answered 500. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) {
    if (err.code === 'SERVICE_UNAVAILABLE') return unavailable(c);
    // Limits and a throttled or unavailable payment provider say when to come back.
    if (typeof err.details === 'object' && err.details && 'retryAfterSec' in err.details) {
      c.header('Retry-After', String((err.details as { retryAfterSec: number }).retryAfterSec));
    }
    return c.json(body(err.code, err.message, err.details), STATUS_OF[err.code]);
  }
  if (err instanceof ZodError) {
    const v = validationFailed(err);
    return c.json(body(v.code, v.message, v.details), 400);
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return c.json(body('PAYLOAD_TOO_LARGE', 'Request body is too large'), 413);
    if (err.status === 400 && /json/i.test(err.message)) {
      return c.json(body('MALFORMED_JSON', 'Request body is not valid JSON'), 400);
    }
    if (err.status === 401) return c.json(body('UNAUTHENTICATED', 'Sign in first'), 401);
    // The request deadline (hono/timeout) ran out.
    if (err.status === 503) {
      c.get('log')?.warn({ err }, 'request deadline passed');
      return unavailable(c);
    }
    if (err.status < 500) return c.json(body('VALIDATION_FAILED', err.message || 'Bad request'), 400);
  }
  if (isStoreUnavailable(err)) {
    c.get('log')?.warn({ err }, 'store unavailable');
    return unavailable(c);
  }
  c.get('log')?.error({ err }, 'unhandled error');
  return c.json(body('INTERNAL', 'Something went wrong on our side'), 500);
}
