import { createMiddleware } from 'hono/factory';
import { DomainError } from '../domain/errors';
import type { AppEnv } from './context';

// A JSON \u0000 escape not itself escaped (an odd run of backslashes before it).
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;

/**
 * Postgres text cannot hold NUL; rejecting it at the edge turns what would be a 500 from the
 * database into a clear 400 for every route at once.
 */
export const rejectNul = createMiddleware<AppEnv>(async (c, next) => {
  let url: string;
  try {
    url = decodeURIComponent(c.req.url.replace(/%(?![0-9a-f]{2})/gi, '%25'));
  } catch {
    // e.g. %FF or a lone %C3: not UTF-8, so no route could read it as text either.
    throw new DomainError('VALIDATION_FAILED', 'The URL is not valid percent-encoded UTF-8');
  }
  if (url.includes('\0')) throw new DomainError('VALIDATION_FAILED', 'Text may not contain NUL characters');
  if (c.req.header('content-type')?.includes('json') && ['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
    const raw = await c.req.raw.clone().text();
    if (raw.includes('\0') || JSON_NUL.test(raw)) throw new DomainError('VALIDATION_FAILED', 'Text may not contain NUL characters');
  }
  await next();
});
