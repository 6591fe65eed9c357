import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { issuesOf, validationMessage } from '../validation-error';
import type { AppEnv } from './context';

export { issuesOf };

/** An OpenAPIHono router whose validation failures answer 400 VALIDATION_FAILED in our error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const error = result.error as ZodError;
        const message = error.issues.length ? validationMessage(error, result.target) : 'Invalid input';
        return c.json({ error: { code: 'VALIDATION_FAILED', message, details: issuesOf(error) } }, 400);
      }
    },
  });
}
