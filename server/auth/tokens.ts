import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '@shared/schemas/auth';

/** What a valid token proves about its bearer. */
export interface Principal {
  id: string;
  role: Role;
}

export interface TokenService {
  issue(p: Principal): Promise<string>;
  verify(token: string): Promise<Principal | null>;
}

const ROLES = new Set<string>(['customer', 'vendor', 'admin']);

const CACHE_MAX = 10_000;

/** HS256 JWTs signed with the configured secret. */
export function createTokenService(secret: string, ttlHours: number): TokenService {
  const key = new TextEncoder().encode(secret);
  // Every authenticated request and socket verifies its token; WebCrypto HMAC costs ~0.2 ms
  // of CPU each time, so a verified token is remembered until it expires (bounded, oldest out).
  const verified = new Map<string, { principal: Principal; expMs: number }>();
  return {
    issue: (p) =>
      new SignJWT({ role: p.role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(p.id)
        .setIssuedAt()
        .setIssuer('holdfast')
        .setExpirationTime(`${ttlHours}h`)
        .sign(key),
    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        if (hit.expMs > Date.now()) return hit.principal;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'holdfast', algorithms: ['HS256'] });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || typeof role !== 'string' || !ROLES.has(role)) return null;
        const principal = { id: payload.sub, role: role as Role };
        if (typeof payload.exp === 'number') {
          if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
          verified.set(token, { principal, expMs: payload.exp * 1000 });
        }
        return principal;
      } catch {
        return null;
      }
    },
  };
}
