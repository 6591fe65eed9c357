import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import type { ReviewView } from '@shared/schemas/review';
import type { ReviewStore } from '../domain/review-ports';

interface ReviewRow {
  id: string;
  booking_id: string;
  workshop_id: string;
  rating: number;
  text: string | null;
  customer_name: string;
  service_name: string;
  created_at: Date;
}

const SELECT = `
  select r.id, r.booking_id, r.workshop_id, r.rating, r.text, r.created_at, u.name as customer_name, s.name as service_name
  from review r
  join booking b on b.id = r.booking_id
  join "user" u on u.id = b.customer_id
  join service s on s.id = b.service_id`;

/** "Amelia Clarke" → "Amelia C.": enough to be a person, not enough to find one. */
export function publicName(full: string): string {
  const [first = 'Customer', ...rest] = full.trim().split(/\s+/);
  const last = rest.at(-1);
  return last ? `${first} ${last[0]!.toUpperCase()}.` : first;
}

const toView = (r: ReviewRow): ReviewView => ({
  id: r.id,
  bookingId: r.booking_id,
  workshopId: r.workshop_id,
  rating: Number(r.rating),
  text: r.text,
  authorName: publicName(r.customer_name),
  serviceName: r.service_name,
  createdAt: new Date(r.created_at).toISOString(),
});

export function createReviewRepository(orm: MikroORM): ReviewStore {
  const em = () => orm.em.fork();
  return {
    async create(r) {
      const id = randomUUID();
      try {
        return await em().transactional(async (t) => {
          await t.execute('insert into review (id, booking_id, workshop_id, rating, text, created_at) values (?, ?, ?, ?, ?, now())', [id, r.bookingId, r.workshopId, r.rating, r.text]);
          // The row lock of this UPDATE serializes concurrent reviews of one workshop: no lost update.
          await t.execute(
            `update workshop set rating_avg = (rating_avg * rating_count + ?) / (rating_count + 1), rating_count = rating_count + 1 where id = ?`,
            [r.rating, r.workshopId],
          );
          const [row] = await t.execute<ReviewRow[]>(`${SELECT} where r.id = ?`, [id]);
          return toView(row!);
        });
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return null;
        throw err;
      }
    },
    async forBooking(bookingId) {
      const [row] = await em().execute<ReviewRow[]>(`${SELECT} where r.booking_id = ?`, [bookingId]);
      return row ? toView(row) : null;
    },
    async forWorkshop(workshopId, limit) {
      const rows = await em().execute<ReviewRow[]>(`${SELECT} where r.workshop_id = ? order by r.created_at desc, r.id limit ?`, [workshopId, limit]);
      return rows.map(toView);
    },
  };
}
