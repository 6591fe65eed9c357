import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { DomainError } from '../domain/errors';
import type { AppEnv } from './context';

// A JSON \u0000 escape not itself escaped (an odd run of backslashes before it).
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

const tooLarge = (c: Context, max: number) =>
  c.json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `Request body is larger than ${max} bytes` } }, 413);

/** Postgres text cannot hold NUL: a clear 400 here instead of a 500 from the database, for every route at once. */
function refuseNul(text: string) {
  if (text.includes('\0') || JSON_NUL.test(text)) throw new DomainError('VALIDATION_FAILED', 'Text may not contain NUL characters');
}

/**
 * The body limit and the NUL guard, reading a JSON body once. A body with a Content-Length is
 * read straight off the socket as text (the node adapter's fast path; no WHATWG Request is built)
 * and Hono caches that text, so the route's validator parses it without reading again. A body
 * sent without a length (chunked) goes through Hono's streaming limit, which stops reading at the
 * limit instead of buffering whatever arrives.
 */
export function requestBody(maxBytes: number) {
  const streamingLimit = bodyLimit({ maxSize: maxBytes, onError: (c) => tooLarge(c, maxBytes) });
  return createMiddleware<AppEnv>(async (c, next) => {
    let url: string;
    try {
      url = decodeURIComponent(c.req.url.replace(/%(?![0-9a-f]{2})/gi, '%25'));
    } catch {
      // e.g. %FF or a lone %C3: not UTF-8, so no route could read it as text either.
      throw new DomainError('VALIDATION_FAILED', 'The URL is not valid percent-encoded UTF-8');
    }
    if (url.includes('\0')) throw new DomainError('VALIDATION_FAILED', 'Text may not contain NUL characters');
    if (!WITH_BODY.has(c.req.method)) return next();

    const length = c.req.header('content-length');
    const json = c.req.header('content-type')?.includes('json') ?? false;
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) {
      return streamingLimit(c, async () => {
        if (json) refuseNul(await c.req.text());
        await next();
      });
    }
    if (Number(length) > maxBytes) return tooLarge(c, maxBytes);
    if (json) refuseNul(await c.req.text());
    await next();
  });
}
