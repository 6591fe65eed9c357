import type { ServerResponse } from 'node:http';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context';

/**
 * The security headers every answer carries: hono/secure-headers' defaults with
 * Cross-Origin-Resource-Policy same-origin and no Content-Security-Policy (the client's HTML gets
 * its own, static.routes.ts).
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/**
 * Puts the security headers and the request id on the answer. Under @hono/node-server they go
 * straight onto Node's response (`setHeader`, merged by its `writeHead`), so a plain JSON answer
 * keeps Hono's plain-object headers and never builds a WHATWG `Headers` (whose per-header
 * validation and copying cost ~4 % of a hold's CPU when hono/secure-headers set them afterwards).
 * Without a Node response (`app.request` in tests) they are set on the answer's headers instead.
 */
export function responseHeaders() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.setHeader === 'function') {
      for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
      outgoing.setHeader('X-Request-Id', c.get('requestId'));
      await next();
      return;
    }
    await next();
    for (const [name, value] of SECURITY_HEADERS) c.res.headers.set(name, value);
    c.res.headers.set('X-Request-Id', c.get('requestId'));
  });
}
