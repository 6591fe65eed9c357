import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import type { ReportedReview, ReviewView } from '@shared/schemas/review';
import type { ReviewRef, ReviewStore } from '../domain/review-ports';
import { insertAudit } from './audit.repository';
import { VISIT_JOIN, VISIT_NAME } from './booking-sql';

interface ReviewRow {
  id: string;
  booking_id: string;
  workshop_id: string;
  rating: number;
  text: string | null;
  customer_name: string;
  service_name: string;
  created_at: Date;
  reply_text: string | null;
  replied_at: Date | null;
  hidden_at: Date | null;
  hidden_reason: string | null;
}

const SELECT = `
  select r.id, r.booking_id, r.workshop_id, r.rating, r.text, r.created_at, u.name as customer_name, ${VISIT_NAME} as service_name,
         r.reply_text, r.replied_at, r.hidden_at, r.hidden_reason
  from review r
  join booking b on b.id = r.booking_id
  join "user" u on u.id = b.customer_id
  join service s on s.id = b.service_id
  ${VISIT_JOIN}`;

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
  reply: r.reply_text !== null && r.replied_at ? { text: r.reply_text, repliedAt: new Date(r.replied_at).toISOString() } : null,
  hidden: r.hidden_at && r.hidden_reason !== null ? { reason: r.hidden_reason, hiddenAt: new Date(r.hidden_at).toISOString() } : null,
});

/** The workshop's rating from its visible reviews (hiding or showing one moves it). */
const RECOUNT = `
  update workshop w set rating_count = v.n, rating_avg = v.avg
    from (select count(*)::int as n, coalesce(avg(rating), 0)::float8 as avg from review where workshop_id = ? and hidden_at is null) v
   where w.id = ?`;

const AUDIT_ACTION = { hide: 'review.hide', unhide: 'review.unhide', dismiss_reports: 'review.dismiss_reports' } as const;

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
      const rows = await em().execute<ReviewRow[]>(`${SELECT} where r.workshop_id = ? and r.hidden_at is null order by r.created_at desc, r.id limit ?`, [workshopId, limit]);
      return rows.map(toView);
    },
    async find(reviewId) {
      const [row] = await em().execute<Array<{ id: string; workshop_id: string; customer_id: string; hidden: boolean; replied: boolean; open_reports: number }>>(
        `select r.id, r.workshop_id, b.customer_id, r.hidden_at is not null as hidden, r.replied_at is not null as replied,
                (select count(*)::int from review_report rr where rr.review_id = r.id and rr.resolved_at is null) as open_reports
           from review r join booking b on b.id = r.booking_id where r.id = ?`,
        [reviewId],
      );
      return row ? ({ id: row.id, workshopId: row.workshop_id, customerId: row.customer_id, hidden: row.hidden, replied: row.replied, openReports: Number(row.open_reports) } satisfies ReviewRef) : null;
    },
    async reply(reviewId, text, by, at) {
      const e = em();
      const done = await e.execute<unknown[]>(`update review set reply_text = ?, replied_at = ?, replied_by = ? where id = ? and replied_at is null returning 1`, [text, at, by, reviewId]);
      if (!done.length) return null;
      const [row] = await e.execute<ReviewRow[]>(`${SELECT} where r.id = ?`, [reviewId]);
      return toView(row!);
    },
    async report(reviewId, reporterId, reason, at) {
      const done = await em().execute<unknown[]>(
        `insert into review_report (id, review_id, reporter_id, reason, created_at) values (?, ?, ?, ?, ?) on conflict (review_id, reporter_id) do nothing returning 1`,
        [randomUUID(), reviewId, reporterId, reason, at],
      );
      return done.length > 0;
    },
    async moderate(m) {
      return em().transactional(async (t) => {
        const exec = <T>(sql: string, params: unknown[]) => t.execute<T & object>(sql, params as never[]) as Promise<T>;
        const [r] = await exec<Array<{ workshop_id: string }>>(`select workshop_id from review where id = ? for update`, [m.reviewId]);
        if (m.action === 'hide') await exec(`update review set hidden_at = ?, hidden_reason = ?, hidden_by = ? where id = ?`, [m.at, m.reason, m.adminId, m.reviewId]);
        if (m.action === 'unhide') await exec(`update review set hidden_at = null, hidden_reason = null, hidden_by = null where id = ?`, [m.reviewId]);
        // Hiding answers its reports as much as dismissing them does.
        if (m.action !== 'unhide') await exec(`update review_report set resolved_at = ? where review_id = ? and resolved_at is null`, [m.at, m.reviewId]);
        if (m.action !== 'dismiss_reports') await exec(RECOUNT, [r!.workshop_id, r!.workshop_id]);
        await insertAudit(exec, { actorId: m.adminId, action: AUDIT_ACTION[m.action], targetType: 'review', targetId: m.reviewId, reason: m.reason, at: m.at });
        const [row] = await exec<ReviewRow[]>(`${SELECT} where r.id = ?`, [m.reviewId]);
        return toView(row!);
      });
    },
    async reported(limit) {
      const rows = await em().execute<Array<ReviewRow & { workshop_name: string; reports: Array<{ reason: string; reportedAt: string }> }>>(
        `with open as (
           select review_id, count(*) as n, min(created_at) as first_at,
                  json_agg(json_build_object('reason', reason, 'reportedAt', created_at) order by created_at) as reports
             from review_report where resolved_at is null group by review_id order by n desc, first_at limit ?)
         select v.*, w.name as workshop_name, o.reports
           from open o join (${SELECT}) v on v.id = o.review_id join workshop w on w.id = v.workshop_id
          order by o.n desc, o.first_at, v.id`,
        [limit],
      );
      return rows.map((r): ReportedReview => ({
        review: toView(r),
        workshopName: r.workshop_name,
        reports: r.reports.map((x) => ({ reason: x.reason, reportedAt: new Date(x.reportedAt).toISOString() })),
      }));
    },
  };
}
