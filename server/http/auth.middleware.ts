import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Role } from '@shared/schemas/auth';
import type { TokenService } from '../auth/tokens';
import { DomainError } from '../domain/errors';
import type { AppEnv, AuthedEnv } from './context';

export const AUTH_COOKIE = 'hf_token';

/** Reads a Bearer token or the HttpOnly cookie; sets `principal` (null when anonymous). */
export function identify(tokens: TokenService) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1];
    const token = bearer ?? getCookie(c, AUTH_COOKIE);
    c.set('principal', token ? await tokens.verify(token) : null);
    await next();
  });
}

/** Rejects anonymous requests (401) and, when roles are given, other roles (403). */
export function requireAuth(...roles: Role[]) {
  return createMiddleware<AuthedEnv>(async (c, next) => {
    const p = c.var.principal;
    if (!p) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
    if (roles.length && !roles.includes(p.role)) {
      throw new DomainError('FORBIDDEN', `Only ${roles.join(' or ')} accounts can do that`);
    }
    await next();
  });
}
