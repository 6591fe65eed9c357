import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';
import { withDeadline } from '../request-deadline';
import type { AppEnv } from './context';

/**
 * Answers a request still running after `ms` with 503 (onError maps the 503), and lets the
 * work it started see that deadline: a transaction then refuses to commit (DeadlineGuard).
 */
export function requestDeadline(ms: number) {
  const cut = timeout(ms, () => new HTTPException(503, { message: `no answer within ${ms} ms` }));
  return createMiddleware<AppEnv>((c, next) => withDeadline(Date.now() + ms, () => cut(c, next)));
}
