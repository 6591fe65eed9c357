import { createMiddleware } from 'hono/factory';
import type { Role } from '@shared/schemas/auth';
import type { SessionGuard } from '../auth/session-guard';
import { AUTH_COOKIE, bearerToken, cookieToken } from '../auth/token-source';
import { DomainError } from '../domain/errors';
import type { AppEnv, AuthedEnv } from './context';

export { AUTH_COOKIE };

/** Reads a Bearer token or the HttpOnly cookie; sets `principal` (null when anonymous or the session ended). */
export function identify(guard: SessionGuard) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const bearer = bearerToken(c.req.header('authorization'));
    const cookie = bearer ? null : cookieToken(c.req.header('cookie'));
    const token = bearer ?? cookie;
    const found = token ? await guard.authenticate(token) : null;
    c.set('principal', found ? { id: found.id, role: found.role } : null);
    c.set('sid', found?.sid ?? null);
    c.set('authVia', bearer ? 'bearer' : cookie ? 'cookie' : null);
    await next();
  });
}

/** Rejects anonymous requests (401) and, when roles are given, other roles (403). */
export function requireAuth(...roles: Role[]) {
  return createMiddleware<AuthedEnv>(async (c, next) => {
    const p = c.get('principal');
    if (!p) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
    if (roles.length && !roles.includes(p.role)) {
      throw new DomainError('FORBIDDEN', `Only ${roles.join(' or ')} accounts can do that`);
    }
    await next();
  });
}
