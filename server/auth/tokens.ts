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

/** HS256 JWTs signed with the configured secret. */
export function createTokenService(secret: string, ttlHours: number): TokenService {
  const key = new TextEncoder().encode(secret);
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
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'holdfast', algorithms: ['HS256'] });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || typeof role !== 'string' || !ROLES.has(role)) return null;
        return { id: payload.sub, role: role as Role };
      } catch {
        return null;
      }
    },
  };
}
