import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '@shared/schemas/auth';

/** What a valid signature proves: who the token was issued to, and for which session (`jti`). */
export interface TokenClaims {
  id: string;
  role: Role;
  sid: string;
}

/** Who is asking (re-exported for the HTTP context). */
export type { Principal } from '../domain/actor';

export interface TokenService {
  issue(c: TokenClaims): Promise<string>;
  /** Checks the signature and expiry only; whether the session is still open is the guard's job. */
  verify(token: string): Promise<TokenClaims | null>;
}

const ROLES = new Set<string>(['customer', 'vendor', 'admin']);

const CACHE_MAX = 10_000;

/** HS256 JWTs signed with the configured secret. */
export function createTokenService(secret: string, ttlHours: number): TokenService {
  const key = new TextEncoder().encode(secret);
  // Every authenticated request and socket verifies its token; WebCrypto HMAC costs ~0.2 ms
  // of CPU each time, so a verified token is remembered until it expires (bounded, oldest out).
  const verified = new Map<string, { claims: TokenClaims; expMs: number }>();
  return {
    issue: (c) =>
      new SignJWT({ role: c.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(c.id)
        .setJti(c.sid)
        .setIssuedAt()
        .setIssuer('holdfast')
        .setExpirationTime(`${ttlHours}h`)
        .sign(key),
    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        if (hit.expMs > Date.now()) return hit.claims;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'holdfast', algorithms: ['HS256'] });
        const { role, sub, jti } = payload;
        if (typeof sub !== 'string' || typeof jti !== 'string' || typeof role !== 'string' || !ROLES.has(role)) return null;
        const claims = { id: sub, role: role as Role, sid: jti };
        if (typeof payload.exp === 'number') {
          if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
          verified.set(token, { claims, expMs: payload.exp * 1000 });
        }
        return claims;
      } catch {
        return null;
      }
    },
  };
}
