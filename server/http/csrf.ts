import { createMiddleware } from 'hono/factory';
import { DomainError } from '../domain/errors';
import type { AppEnv } from './context';
import { provenance } from '../auth/same-origin';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// They act on the credentials in the body, never on the cookie's authority (a script that
// registers many accounts in a row carries the previous one's cookie).
const CREDENTIAL_ROUTES = new Set(['/api/auth/login', '/api/auth/register']);

/**
 * Cross-site request forgery: a cookie is ambient, so an unsafe request it authenticates must
 * prove it comes from our own pages (Origin, or Sec-Fetch-Site: same-origin). SameSite=Lax alone
 * lets sibling subdomains, other ports and old browsers through. Requests the cookie does not
 * authorise (anonymous ones, sign-in, registration) are refused only when the browser says they
 * are cross-site: that stops login CSRF while scripts and curl, which send neither header, still
 * work. Bearer tokens are never ambient and pass untouched.
 */
export function csrfGuard(trustProxy: boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (UNSAFE.has(c.req.method) && c.get('authVia') !== 'bearer') {
      const from = provenance((name) => c.req.header(name), trustProxy);
      const ambient = c.get('authVia') === 'cookie' && !CREDENTIAL_ROUTES.has(c.req.path);
      if (from === 'cross' || (from === 'unknown' && ambient)) {
        throw new DomainError('CSRF_REJECTED', 'Cross-site request refused: send it from this site, or authenticate with a bearer token');
      }
    }
    await next();
  });
}
