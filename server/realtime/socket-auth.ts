import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { SessionGuard } from '../auth/session-guard';
import type { Principal } from '../domain/actor';
import { cookieToken } from '../auth/token-source';
import { provenance } from '../auth/same-origin';
import type { RealtimeSocket } from './types';

// A JWT is a few hundred bytes; anything far bigger is not worth verifying.
const MAX_TOKEN = 4096;

/**
 * A cookie is ambient: a browser attaches it to a socket any page opens. It only speaks for the
 * person when the page is ours (Origin = the host it connected to; X-Forwarded-Host counts only
 * with TRUST_PROXY), which shuts out cross-site WebSocket hijacking even where SameSite does not.
 * Non-browser clients send no Origin.
 */
function notCrossSite(headers: IncomingHttpHeaders, trustProxy: boolean): boolean {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return provenance(header, trustProxy) !== 'cross';
}

/** The handshake's token: `auth: {token}` (explicit) or the HttpOnly cookie a browser sends by itself. */
export function handshakeToken(h: { auth: unknown; headers: IncomingHttpHeaders }, trustProxy = false): { token: string; explicit: boolean } | null {
  const auth = h.auth && typeof h.auth === 'object' ? (h.auth as Record<string, unknown>) : {};
  if (typeof auth.token === 'string' && auth.token) return { token: auth.token, explicit: true };
  const fromCookie = notCrossSite(h.headers, trustProxy) ? cookieToken(h.headers.cookie) : null;
  return fromCookie ? { token: fromCookie, explicit: false } : null;
}

const unauthenticated = () => Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED', message: 'The token is invalid or expired' } });

/**
 * Handshake middleware: decides who the socket is, once. A bad token given explicitly is
 * refused (the client asked to be someone); a stale cookie makes the socket anonymous, as
 * the HTTP API does, so a tab with an old cookie can still watch public availability.
 */
export function authenticate(deps: { guard: SessionGuard; trustProxy: boolean; vendorWorkshops: (p: Principal) => Promise<string[]>; logger: Logger }) {
  return async (socket: RealtimeSocket, next: (err?: Error) => void) => {
    try {
      const found = handshakeToken(socket.handshake, deps.trustProxy);
      const session = found && found.token.length <= MAX_TOKEN ? await deps.guard.authenticate(found.token) : null;
      if (found?.explicit && !session) return next(unauthenticated());
      const principal = session ? { id: session.id, role: session.role } : null;
      let vendorOf: string[] = [];
      if (principal?.role === 'vendor') {
        // Without its rooms a vendor still gets its bookings through `user:<id>` (see publisher.ts).
        vendorOf = await deps.vendorWorkshops(principal).catch((err) => {
          deps.logger.warn({ err }, 'could not list a vendor\'s workshops at connection');
          return [];
        });
      }
      socket.data = { principal, sid: session?.sid ?? null, vendorOf };
      next();
    } catch (err) {
      deps.logger.error({ err }, 'socket handshake failed');
      next(Object.assign(new Error('INTERNAL'), { data: { code: 'INTERNAL', message: 'Could not authenticate' } }));
    }
  };
}
