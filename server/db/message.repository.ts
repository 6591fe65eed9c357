import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { MessageView } from '@shared/schemas/message';
import type { MessageStore } from '../domain/message-ports';

interface Row {
  id: string;
  booking_id: string;
  author_id: string;
  author_role: MessageView['authorRole'];
  author_name: string;
  body: string;
  created_at: Date;
}

const toView = (r: Row): MessageView => ({
  id: r.id, bookingId: r.booking_id, authorId: r.author_id, authorRole: r.author_role, authorName: r.author_name, body: r.body,
  at: new Date(r.created_at).toISOString(),
});

/** The workshop speaks as itself: its staff's messages carry the workshop's name. */
const AUTHOR_NAME = `case when m.author_role = 'vendor' then w.name else u.name end as author_name`;

/** MessageStore in plain SQL (threads are read often and never hydrated as entities). */
export function createMessageRepository(orm: MikroORM): MessageStore {
  const db = () => orm.em.getConnection();
  return {
    async add(m) {
      const id = randomUUID();
      await db().execute(
        'insert into booking_message (id, booking_id, author_id, author_role, body, created_at) values (?, ?, ?, ?, ?, ?)',
        [id, m.bookingId, m.authorId, m.authorRole, m.body, m.at],
      );
      const [row] = await db().execute<Row[]>(
        `select m.*, ${AUTHOR_NAME} from booking_message m join "user" u on u.id = m.author_id
           join booking b on b.id = m.booking_id join workshop w on w.id = b.workshop_id where m.id = ?`,
        [id],
      );
      return toView(row!);
    },

    async thread(bookingId, limit) {
      const rows = await db().execute<Row[]>(
        `select * from (select m.*, ${AUTHOR_NAME} from booking_message m join "user" u on u.id = m.author_id
           join booking b on b.id = m.booking_id join workshop w on w.id = b.workshop_id
          where m.booking_id = ? order by m.created_at desc, m.id desc limit ?) t order by created_at, id`,
        [bookingId, limit],
      );
      return rows.map(toView);
    },

    async unreadIn(bookingId, userId) {
      const [r] = await db().execute<Array<{ n: string }>>(
        `select count(*) as n from booking_message m
           left join booking_message_read r on r.booking_id = m.booking_id and r.user_id = ?
          where m.booking_id = ? and m.author_id <> ? and (r.read_at is null or m.created_at > r.read_at)`,
        [userId, bookingId, userId],
      );
      return Number(r?.n ?? 0);
    },

    async markRead(bookingId, userId, at) {
      await db().execute(
        `insert into booking_message_read (booking_id, user_id, read_at) values (?, ?, ?)
         on conflict (booking_id, user_id) do update set read_at = greatest(booking_message_read.read_at, excluded.read_at)`,
        [bookingId, userId, at],
      );
    },

    async unreadFor(userId, role) {
      // The workshop side: every workshop the user works in; what colleagues wrote is not unread.
      const mine = role === 'customer'
        ? 'b.customer_id = ?'
        : `exists (select 1 from workshop_member wm where wm.workshop_id = b.workshop_id and wm.user_id = ?) and m.author_role <> 'vendor'`;
      const rows = await db().execute<Array<{ booking_id: string; n: string }>>(
        `select m.booking_id, count(*) as n from booking_message m
           join booking b on b.id = m.booking_id join workshop w on w.id = b.workshop_id
           left join booking_message_read r on r.booking_id = m.booking_id and r.user_id = ?
          where ${mine} and m.author_id <> ? and (r.read_at is null or m.created_at > r.read_at)
          group by m.booking_id`,
        [userId, userId, userId],
      );
      const byBooking = Object.fromEntries(rows.map((r) => [r.booking_id, Number(r.n)]));
      return { total: rows.reduce((n, r) => n + Number(r.n), 0), byBooking };
    },
  };
}
