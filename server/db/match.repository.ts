import type { MikroORM } from '@mikro-orm/postgresql';
import type { MatchWeights, MatchWeightsView } from '@shared/schemas/match';
import type { MatchCandidate, MatchSlotRow, MatchStore, WorkshopRecord } from '../domain/matching-ports';
import { tsqueryOf } from './workshop-search.repository';

/*
 * The matching engine's reads (docs/architecture.md "Matching"), plain SQL: candidate
 * (workshop, service) pairs within the radius (`workshop.geog`, GiST), matching the words on the
 * service's own name and category (stemmed and as written, the last word as a prefix; words only
 * as bound parameters, see workshop-search.repository.ts) or the category, with a slot Postgres
 * does not count as full in the window (`slot_workshop_free_index`), nearest first; the workshops'
 * track records; the operators' weights (`match_weights`, one row, Migration20261201160000).
 */

const WEIGHT_COLUMNS = 'distance, price, rating, completion, response, soonness, updated_at';

const weightsFromRow = (r: Record<string, any>): MatchWeightsView => ({
  weights: {
    distance: Number(r.distance),
    price: Number(r.price),
    rating: Number(r.rating),
    completion: Number(r.completion),
    response: Number(r.response),
    soonness: Number(r.soonness),
  },
  updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : null,
});

export function createMatchRepository(orm: MikroORM): MatchStore {
  const run = <T = Record<string, any>>(sql: string, params: unknown[]) => orm.em.getConnection().execute<T[]>(sql, params as any[]);

  return {
    async candidates(f) {
      const tsq = f.terms.length ? tsqueryOf(f.terms) : null;
      const conds: string[] = [`w.status = 'verified'`, `st_dwithin(w.geog, p.pt, ?)`];
      const params: unknown[] = [f.point.radiusM];
      if (tsq) conds.push(`(to_tsvector('english', s.name || ' ' || s.category) || to_tsvector('simple', s.name || ' ' || s.category)) @@ p.tsq`);
      if (f.category) {
        conds.push(`s.category = ?`);
        params.push(f.category);
      }
      if (f.maxBaseCents !== undefined) {
        conds.push(`s.base_price_cents <= ?`);
        params.push(f.maxBaseCents);
      }
      conds.push(`exists (select 1 from slot sl where sl.workshop_id = w.id and sl.booked < sl.capacity and not sl.withdrawn and sl.starts_at >= ? and sl.starts_at < ?)`);
      params.push(f.from, f.to);
      const rows = await run(
        `with p as (select ${tsq ? tsq.sql : 'null::tsquery'} as tsq, st_setsrid(st_makepoint(?, ?), 4326)::geography as pt)
         select w.id as workshop_id, w.name as workshop_name, w.city, w.timezone, w.rating_avg, w.rating_count, w.auto_accept,
                st_distance(w.geog, p.pt) as dist_m,
                s.id as service_id, s.name as service_name, s.category, s.duration_minutes, s.base_price_cents, s.currency, s.options, s.vehicle_constraints
           from workshop w cross join p join service s on s.workshop_id = w.id and s.active
          where ${conds.join(' and ')}
          order by st_distance(w.geog, p.pt), w.id, s.id
          limit ?`,
        [...(tsq ? tsq.params : []), f.point.lng, f.point.lat, ...params, f.limit],
      );
      return rows.map((r): MatchCandidate => ({
        workshopId: r.workshop_id,
        workshopName: r.workshop_name,
        city: r.city,
        timezone: r.timezone,
        ratingAvg: Math.round(Number(r.rating_avg) * 100) / 100,
        ratingCount: Number(r.rating_count),
        autoAccept: Boolean(r.auto_accept),
        distanceM: Number(r.dist_m),
        serviceId: r.service_id,
        serviceName: r.service_name,
        category: r.category,
        durationMinutes: Number(r.duration_minutes),
        basePriceCents: Number(r.base_price_cents),
        currency: r.currency,
        options: { skillTiers: r.options?.skillTiers ?? [], urgency: r.options?.urgency ?? [] },
        vehicleConstraints: r.vehicle_constraints ?? null,
      }));
    },

    async slots(workshopIds, from, to) {
      const out = new Map<string, MatchSlotRow[]>();
      if (!workshopIds.length) return out;
      const rows = await run<{ id: string; workshop_id: string; starts_at: Date; ends_at: Date; capacity: number; booked: number }>(
        `select id, workshop_id, starts_at, ends_at, capacity, booked from slot
          where workshop_id in (?) and starts_at >= ? and starts_at < ? and not withdrawn
          order by workshop_id, starts_at`,
        [workshopIds, from, to],
      );
      for (const r of rows) {
        let list = out.get(r.workshop_id);
        if (!list) out.set(r.workshop_id, (list = []));
        list.push({ id: r.id, startMs: new Date(r.starts_at).getTime(), endMs: new Date(r.ends_at).getTime(), capacity: Number(r.capacity), booked: Number(r.booked) });
      }
      return out;
    },

    async records(workshopIds, since) {
      if (!workshopIds.length) return new Map();
      // Completion: of the bookings that ended on the workshop's side (done, declined, left to expire), the share completed.
      // Response: the median time from the request to its acceptance.
      const rows = await run<{ workshop_id: string; completed: string; finished: string; response_s: number | null }>(
        `select b.workshop_id,
                count(*) filter (where b.status = 'completed') as completed,
                count(*) filter (where b.status in ('completed', 'declined', 'expired')) as finished,
                percentile_cont(0.5) within group (order by extract(epoch from (a.at - b.created_at))) as response_s
           from booking b
           left join lateral (select min(e.at) as at from booking_event e where e.booking_id = b.id and e.type = 'accepted') a on true
          where b.workshop_id in (?) and b.created_at >= ?
          group by b.workshop_id`,
        [workshopIds, since],
      );
      const out = new Map<string, WorkshopRecord>();
      for (const r of rows) {
        const finished = Number(r.finished);
        out.set(r.workshop_id, {
          completionRate: finished > 0 ? Math.round((Number(r.completed) / finished) * 1000) / 1000 : null,
          responseMinutes: r.response_s == null ? null : Math.round((Number(r.response_s) / 60) * 10) / 10,
        });
      }
      return out;
    },

    async weights() {
      const [r] = await run(`select ${WEIGHT_COLUMNS} from match_weights where id = 1`, []);
      if (!r) throw new Error('match_weights has no row (Migration20261201160000 writes it)');
      return weightsFromRow(r);
    },

    async saveWeights(w: MatchWeights, by: string) {
      const [r] = await run(
        `update match_weights set distance = ?, price = ?, rating = ?, completion = ?, response = ?, soonness = ?, updated_at = now(), updated_by = ?
          where id = 1 returning ${WEIGHT_COLUMNS}`,
        [w.distance, w.price, w.rating, w.completion, w.response, w.soonness, by],
      );
      return weightsFromRow(r!);
    },
  };
}
