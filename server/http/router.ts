import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { issuesOf, validationMessage } from '../validation-error';
import type { AppEnv } from './context';

export { issuesOf };

/** An OpenAPIHono router whose validation failures answer 400 VALIDATION_FAILED in our error shape. */
export function createRouter() {
  const r = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const error = result.error as ZodError;
        const message = error.issues.length ? validationMessage(error, result.target) : 'Invalid input';
        return c.json({ error: { code: 'VALIDATION_FAILED', message, details: issuesOf(error) } }, 400);
      }
    },
  });
  // Every handler first records the responses its route declares, so the test-only contract
  // check (contract-check.ts) knows which schema the answer must match.
  const register = r.openapi.bind(r);
  r.openapi = ((route: RouteConfig, handler: (c: Context<AppEnv>) => unknown, hook?: unknown) =>
    register(
      route as never,
      ((c: Context<AppEnv>) => {
        c.set('declared', { route: `${route.method.toUpperCase()} ${route.path}`, responses: route.responses });
        return handler(c);
      }) as never,
      hook as never,
    )) as typeof r.openapi;
  return r;
}
