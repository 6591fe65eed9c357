import type { MikroORM } from '@mikro-orm/postgresql';
import type { SessionStore, SessionView } from '../domain/sessions';
import { Session } from './entities/index';

interface Row {
  user_id: string;
  role: SessionView['role'];
  status: SessionView['status'];
  expires_at: Date;
  revoked_at: Date | null;
}

/** SessionStore on Postgres; `find` is one primary-key join (it runs on cache misses of every request). */
export function createSessionRepository(orm: MikroORM): SessionStore {
  const conn = () => orm.em.getConnection();
  return {
    async create(s) {
      const em = orm.em.fork();
      const row = em.create(Session, { user: s.userId, createdAt: s.createdAt, expiresAt: s.expiresAt });
      await em.flush();
      return row.id;
    },
    async find(sid) {
      const rows: Row[] = await conn().execute(
        'select s.user_id, u.role, u.status, s.expires_at, s.revoked_at from "session" s join "user" u on u.id = s.user_id where s.id = ?',
        [sid],
      );
      const r = rows[0];
      return r ? { userId: r.user_id, role: r.role, status: r.status, expiresAt: new Date(r.expires_at), revokedAt: r.revoked_at ? new Date(r.revoked_at) : null } : null;
    },
    async revoke(sid, at) {
      await conn().execute('update "session" set revoked_at = ? where id = ? and revoked_at is null', [at, sid]);
    },
    async revokeAllOf(userId, at) {
      const rows: Array<{ id: string }> = await conn().execute('update "session" set revoked_at = ? where user_id = ? and revoked_at is null returning id', [at, userId]);
      return rows.map((r) => r.id);
    },
  };
}
