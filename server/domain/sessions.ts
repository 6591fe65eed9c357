import type { Role } from '@shared/schemas/auth';
import type { Principal } from './actor';
import type { Clock } from './clock';

export type AccountStatus = 'active' | 'suspended';

/** A sign-in as stored, with its user's current role and status (null user fields: deleted). */
export interface SessionView {
  userId: string;
  role: Role;
  status: AccountStatus;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Port: where sign-ins live. */
export interface SessionStore {
  create(s: { userId: string; createdAt: Date; expiresAt: Date }): Promise<string>;
  /** The session joined with its user; null when either is gone. */
  find(sid: string): Promise<SessionView | null>;
  /** The same for many sessions in one query (the periodic socket recheck); absent ones are missing. */
  findMany(sids: string[]): Promise<Map<string, SessionView>>;
  revoke(sid: string, at: Date): Promise<void>;
  /** Ends every open session of a user; returns their ids. */
  revokeAllOf(userId: string, at: Date): Promise<string[]>;
  /** Deletes sessions that expired before `before`; returns how many. */
  purgeExpired(before: Date): Promise<number>;
}

/**
 * Sign-ins: a token speaks for someone only while its session is open, the account exists and
 * is active; the role comes from the account now, not from when the token was issued.
 */
export function createSessions(deps: { store: SessionStore; clock: Clock; ttlHours: number }) {
  const { store, clock } = deps;
  const speaksFor = (s: SessionView | null, userId: string): Principal | null => {
    if (!s || s.userId !== userId || s.revokedAt || s.status !== 'active') return null;
    if (s.expiresAt.getTime() <= clock.now()) return null;
    return { id: s.userId, role: s.role };
  };
  return {
    async start(userId: string): Promise<{ sid: string; expiresAt: Date }> {
      const now = clock.now();
      const expiresAt = new Date(now + deps.ttlHours * 3_600_000);
      const sid = await store.create({ userId, createdAt: new Date(now), expiresAt });
      return { sid, expiresAt };
    },

    /** Who the session speaks for now, or null when it no longer speaks for anyone. */
    async principal(sid: string, userId: string): Promise<Principal | null> {
      return speaksFor(await store.find(sid), userId);
    },

    /** `principal` for many sessions at once: sid → principal or null. */
    async principals(pairs: Array<{ sid: string; userId: string }>): Promise<Map<string, Principal | null>> {
      const found = await store.findMany(pairs.map((p) => p.sid));
      return new Map(pairs.map((p) => [p.sid, speaksFor(found.get(p.sid) ?? null, p.userId)]));
    },

    end: (sid: string) => store.revoke(sid, new Date(clock.now())),
    endAllOf: (userId: string) => store.revokeAllOf(userId, new Date(clock.now())),
    /** Expired rows only answer "no": a day after expiry they can go. */
    purgeExpired: () => store.purgeExpired(new Date(clock.now() - 24 * 3_600_000)),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
