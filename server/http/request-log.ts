import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';
import type { AppEnv } from './context';

/** Gives each request an id (kept from X-Request-Id when sane; sent back by response-headers.ts) and logs one line when it ends. */
export function requestLog(logger: Logger, observe?: (route: string, method: string, status: number, ms: number) => void) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const status = c.res.status;
    // Never the query string or headers: they may carry tokens.
    log.info({ method: c.req.method, path: c.req.path, status, ms: Math.round(ms * 10) / 10, userId: c.get('principal')?.id }, 'request');
    observe?.(c.req.routePath, c.req.method, status, ms);
  });
}
