import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { AppEnv } from './context';

/** Field-level problems in a stable, client-friendly form. */
export function issuesOf(error: ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** An OpenAPIHono router whose validation failures answer 400 VALIDATION_FAILED in our error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const details = issuesOf(result.error as ZodError);
        const first = details[0];
        const message = first ? `Invalid ${result.target}: ${first.path ? `${first.path}: ` : ''}${first.message}` : 'Invalid input';
        return c.json({ error: { code: 'VALIDATION_FAILED', message, details } }, 400);
      }
    },
  });
}
