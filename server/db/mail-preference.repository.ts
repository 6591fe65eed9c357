import type { MikroORM } from '@mikro-orm/postgresql';
import type { MailPreferenceStore } from '../domain/mail-preferences';

type Row = { reminders: boolean; reviews: boolean };

/** mail_preference in SQL: one row per user who changed anything. */
export function createMailPreferenceRepository(orm: MikroORM): MailPreferenceStore {
  const em = () => orm.em.fork();
  return {
    async get(userId) {
      const [r] = await em().execute<Row[]>('select reminders, reviews from mail_preference where user_id = ?', [userId]);
      return { reminders: r?.reminders ?? true, reviews: r?.reviews ?? true };
    },
    async update(userId, patch) {
      const [r] = await em().execute<Row[]>(
        `insert into mail_preference (user_id, reminders, reviews, updated_at)
           select id, coalesce(?::boolean, true), coalesce(?::boolean, true), now() from "user" where id = ?
         on conflict (user_id) do update set
           reminders = coalesce(?::boolean, mail_preference.reminders), reviews = coalesce(?::boolean, mail_preference.reviews), updated_at = now()
         returning reminders, reviews`,
        [patch.reminders ?? null, patch.reviews ?? null, userId, patch.reminders ?? null, patch.reviews ?? null],
      );
      return { reminders: r?.reminders ?? true, reviews: r?.reviews ?? true };
    },
  };
}
