import type { MikroORM } from '@mikro-orm/postgresql';
import type { SessionStore, SessionView } from '../domain/sessions';
import { Session } from './entities/index';

interface Row {
  id: string;
  user_id: string;
  role: SessionView['role'];
  status: SessionView['status'];
  expires_at: Date;
  revoked_at: Date | null;
}

/** SessionStore on Postgres; `find` is one primary-key join (it runs on cache misses of every request). */
const SELECT = 'select s.id, s.user_id, u.role, u.status, s.expires_at, s.revoked_at from "session" s join "user" u on u.id = s.user_id';
const toView = (r: Row): SessionView => ({
  userId: r.user_id,
  role: r.role,
  status: r.status,
  expiresAt: new Date(r.expires_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

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
      const rows: Row[] = await conn().execute(`${SELECT} where s.id = ?`, [sid]);
      return rows[0] ? toView(rows[0]) : null;
    },
    async findMany(sids) {
      const out = new Map<string, SessionView>();
      for (let i = 0; i < sids.length; i += 1000) {
        const chunk = sids.slice(i, i + 1000);
        const rows: Row[] = await conn().execute(`${SELECT} where s.id in (${chunk.map(() => '?').join(', ')})`, chunk);
        for (const r of rows) out.set(r.id, toView(r));
      }
      return out;
    },
    async purgeExpired(before) {
      const rows: Array<{ id: string }> = await conn().execute('delete from "session" where expires_at < ? returning id', [before]);
      return rows.length;
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
