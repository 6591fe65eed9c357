import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { QualityCandidate, QualityCounts, QualityStore } from '../domain/quality-ports';
import { calendarDate } from './workshop-views';

/*
 * Quality counts per workshop in one query: each booking requested in [since, until) (its
 * 'requested' event), reduced to one row of flags from its events, then counted per workshop.
 * See server/domain/quality.ts for what each metric means.
 */
const COUNTS = `
  req as (
    select b.id, b.workshop_id, r.at as requested_at
      from booking_event r join booking b on b.id = r.booking_id
     where r.type = 'requested' and r.at >= ? and r.at < ? %WORKSHOP%
  ),
  per as (
    select q.workshop_id,
           bool_or(e.type = 'completed') as completed,
           bool_or(e.type = 'declined') as declined,
           bool_or(e.type = 'expired') as expired,
           bool_or(e.type = 'cancelled' and e.actor_role not in ('customer', 'system', 'admin')) as cancelled_by_workshop,
           bool_or(e.type = 'accepted') as accepted,
           extract(epoch from min(e.at) filter (where e.type in ('accepted', 'declined') and e.actor_role = 'vendor') - q.requested_at) / 60.0 as response_minutes
      from req q join booking_event e on e.booking_id = q.id
     group by q.workshop_id, q.id, q.requested_at
  ),
  counts as (
    select workshop_id,
           count(*) filter (where completed)::int as completed,
           count(*) filter (where declined)::int as declined,
           count(*) filter (where expired)::int as expired,
           count(*) filter (where cancelled_by_workshop)::int as cancelled_by_workshop,
           count(*) filter (where accepted)::int as accepted,
           count(response_minutes)::int as responses,
           percentile_cont(0.5) within group (order by response_minutes) filter (where response_minutes is not null) as median_response_minutes
      from per group by workshop_id
  )`;

const COUNT_COLUMNS = `coalesce(c.completed, 0) as completed, coalesce(c.declined, 0) as declined, coalesce(c.expired, 0) as expired,
  coalesce(c.cancelled_by_workshop, 0) as cancelled_by_workshop, coalesce(c.accepted, 0) as accepted, coalesce(c.responses, 0) as responses,
  c.median_response_minutes, w.rating_avg, w.rating_count`;

const countsFromRow = (r: Record<string, any>): QualityCounts => ({
  workshopId: r.id,
  completed: Number(r.completed),
  declined: Number(r.declined),
  expired: Number(r.expired),
  cancelledByWorkshop: Number(r.cancelled_by_workshop),
  accepted: Number(r.accepted),
  responses: Number(r.responses),
  medianResponseMinutes: r.median_response_minutes == null ? null : Number(r.median_response_minutes),
  ratingAvg: Math.round(Number(r.rating_avg) * 100) / 100,
  ratingCount: Number(r.rating_count),
});

export function createQualityRepository(orm: MikroORM): QualityStore {
  const exec = <T>(sql: string, params: unknown[]) => orm.em.getConnection().execute(sql, params as never[]) as Promise<T>;
  return {
    async counts(since, until, workshopId) {
      const [row] = await exec<Array<Record<string, any>>>(
        `with ${COUNTS.replace('%WORKSHOP%', 'and b.workshop_id = ?')}
         select w.id, ${COUNT_COLUMNS} from workshop w left join counts c on c.workshop_id = w.id where w.id = ?`,
        [since, until, workshopId, workshopId],
      );
      return row ? countsFromRow(row) : null;
    },

    async candidates(since, until) {
      const rows = await exec<Array<Record<string, any>>>(
        `with ${COUNTS.replace('%WORKSHOP%', '')},
         latest as (
           select distinct on (workshop_id) workshop_id, action from workshop_verification order by workshop_id, created_at desc, seq desc
         ),
         dismissed as (
           select distinct on (workshop_id) workshop_id, until, breaches from quality_dismissal where until > ? order by workshop_id, created_at desc
         )
         select w.id, w.name, w.city, w.status, w.owner_id, w.timezone, w.insurance_expires_on,
                coalesce(l.action = 'lapsed', false) as lapsed, d.until as dismissed_until, d.breaches as dismissed_flags,
                ${COUNT_COLUMNS}
           from workshop w
           left join counts c on c.workshop_id = w.id
           left join latest l on l.workshop_id = w.id
           left join dismissed d on d.workshop_id = w.id
          where w.status = 'verified' or (w.status = 'pending' and l.action = 'lapsed')
          order by w.name, w.id`,
        [since, until, until],
      );
      return rows.map((r): QualityCandidate => ({
        ...countsFromRow(r),
        name: r.name,
        city: r.city,
        status: r.status,
        ownerId: r.owner_id,
        timezone: r.timezone,
        insuranceExpiresOn: calendarDate(r.insurance_expires_on),
        lapsed: Boolean(r.lapsed),
        dismissal: r.dismissed_until ? { until: new Date(r.dismissed_until), flags: r.dismissed_flags ?? [] } : null,
      }));
    },

    async dismiss(d) {
      await exec(
        `insert into quality_dismissal (id, workshop_id, by_id, reason, breaches, created_at, until) values (?, ?, ?, ?, ?::text[], ?, ?)`,
        [randomUUID(), d.workshopId, d.byId, d.reason, `{${d.flags.map((f) => `"${f}"`).join(',')}}`, d.at, d.until],
      );
    },
  };
}
