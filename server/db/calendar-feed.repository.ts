import type { MikroORM } from '@mikro-orm/postgresql';
import type { Role } from '@shared/schemas/auth';
import type { CalendarFeedStore } from '../domain/calendars';

/** CalendarFeedStore in plain SQL: one row per user, the token's SHA-256 only. */
export function createCalendarFeedRepository(orm: MikroORM): CalendarFeedStore {
  const db = () => orm.em.getConnection();
  return {
    async put(userId, tokenHash, at) {
      await db().execute(
        `insert into calendar_feed (user_id, token_hash, created_at) values (?, ?, ?)
           on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = excluded.created_at`,
        [userId, tokenHash, at],
      );
    },
    async remove(userId) {
      const rows = await db().execute<Array<{ user_id: string }>>('delete from calendar_feed where user_id = ? returning user_id', [userId]);
      return rows.length > 0;
    },
    async find(userId) {
      const [row] = await db().execute<Array<{ created_at: Date }>>('select created_at from calendar_feed where user_id = ?', [userId]);
      return row ? { createdAt: new Date(row.created_at) } : null;
    },
    async ownerOf(tokenHash) {
      const [row] = await db().execute<Array<{ id: string; role: Role }>>(
        `select u.id, u.role from calendar_feed f join "user" u on u.id = f.user_id where f.token_hash = ? and u.status = 'active'`,
        [tokenHash],
      );
      return row ? { id: row.id, role: row.role } : null;
    },
  };
}
