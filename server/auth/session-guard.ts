import type { Principal } from '../domain/actor';
import type { Sessions } from '../domain/sessions';
import type { TokenService } from './tokens';

/** A principal proven by an open session. */
export interface SessionPrincipal extends Principal {
  sid: string;
}

/** Sessions that just ended: every process forgets them and disconnects their sockets. */
export interface SessionsEnded {
  sids: string[];
}

const CACHE_MAX = 20_000;

/**
 * Turns a token into a principal on every request and socket: signature (cached in the token
 * service), then the session and its account as they are NOW. That lookup is remembered for
 * `recheckMs` (role changes, suspensions and deletions take effect within that window); ending
 * a session here is effective at once, and `ended` listeners carry it to the other processes.
 */
export function createSessionGuard(deps: { tokens: TokenService; sessions: Sessions; recheckMs: number; now?: () => number }) {
  const { tokens, sessions } = deps;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const inflight = new Map<string, Promise<Principal | null>>();
  const listeners = new Set<(e: SessionsEnded) => void>();
  // Bumped by every forget: a lookup that started before a logout must not cache what it read.
  let epoch = 0;

  function remember(sid: string, principal: Principal | null) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(sid, { principal, until: now() + deps.recheckMs });
  }

  function forget(e: SessionsEnded) {
    epoch++;
    for (const sid of e.sids) cache.delete(sid);
  }

  /** The session's principal now (cached briefly); null once it is ended, expired, suspended or deleted. */
  async function check(sid: string, userId: string): Promise<Principal | null> {
    const hit = cache.get(sid);
    if (hit && hit.until > now()) return hit.principal && hit.principal.id === userId ? hit.principal : null;
    let pending = inflight.get(sid);
    if (!pending) {
      const started = epoch;
      pending = sessions.principal(sid, userId).then(
        (principal) => {
          inflight.delete(sid);
          if (epoch === started) remember(sid, principal);
          return principal;
        },
        (err: unknown) => {
          inflight.delete(sid);
          throw err;
        },
      );
      inflight.set(sid, pending);
    }
    const principal = await pending;
    return principal && principal.id === userId ? principal : null;
  }

  /** `check` for many sessions with one store query for those not cached: sid → principal or null. */
  async function checkMany(pairs: Array<{ sid: string; userId: string }>): Promise<Map<string, Principal | null>> {
    const out = new Map<string, Principal | null>();
    const missing: typeof pairs = [];
    const t = now();
    for (const p of pairs) {
      const hit = cache.get(p.sid);
      if (hit && hit.until > t) out.set(p.sid, hit.principal && hit.principal.id === p.userId ? hit.principal : null);
      else missing.push(p);
    }
    if (missing.length) {
      const started = epoch;
      const found = await sessions.principals(missing);
      for (const p of missing) {
        const principal = found.get(p.sid) ?? null;
        out.set(p.sid, principal);
        if (epoch === started) remember(p.sid, principal);
      }
    }
    return out;
  }

  function ended(sids: string[]) {
    if (!sids.length) return;
    const e = { sids };
    forget(e);
    for (const l of listeners) l(e);
  }

  return {
    check,
    checkMany,
    forget,
    async authenticate(token: string): Promise<SessionPrincipal | null> {
      const claims = await tokens.verify(token);
      if (!claims) return null;
      const principal = await check(claims.sid, claims.id);
      return principal ? { ...principal, sid: claims.sid } : null;
    },
    /** Opens a session and returns its token. */
    async signIn(user: Principal): Promise<{ token: string; sid: string }> {
      const { sid } = await sessions.start(user.id);
      return { token: await tokens.issue({ id: user.id, role: user.role, sid }), sid };
    },
    async end(sid: string) {
      await sessions.end(sid);
      ended([sid]);
    },
    async endAllOf(userId: string) {
      ended(await sessions.endAllOf(userId));
    },
    onEnded(listener: (e: SessionsEnded) => void) {
      listeners.add(listener);
    },
  };
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;
