import type { MikroORM } from '@mikro-orm/postgresql';
import type { BoardFacts, BoardWorkshopFacts } from '../domain/board-ports';

interface Row {
  id: string;
  name: string;
  city: string;
  pending: number;
  oldest_pending: Date | string | null;
  today: number;
}

/*
 * One grouped query per board: pending requests (and the oldest one) and bookings created
 * since local midnight, per verified workshop. The join only looks at rows that can count
 * (pending, or created within the last ~day), so old history does not weigh on it.
 */
const SQL = `
  select w.id, w.name, w.city,
    (count(b.id) filter (where b.status = 'pending'))::int as pending,
    min(b.created_at) filter (where b.status = 'pending') as oldest_pending,
    (count(b.id) filter (
      where b.created_at >= (date_trunc('day', ?::timestamptz at time zone w.timezone) at time zone w.timezone)
    ))::int as today
  from workshop w
  left join booking b on b.workshop_id = w.id
    and (b.status = 'pending' or b.created_at >= ?::timestamptz - interval '26 hours')
  where w.status = 'verified'
  group by w.id, w.name, w.city`;

/** BoardFacts in SQL. */
export function createBoardRepository(orm: MikroORM): BoardFacts {
  return {
    async workshops(now: Date): Promise<BoardWorkshopFacts[]> {
      const rows = await orm.em.fork().getConnection().execute<Row[]>(SQL, [now, now]);
      return rows.map((r) => ({
        workshopId: r.id,
        name: r.name,
        city: r.city,
        pendingRequests: Number(r.pending),
        oldestPendingAt: r.oldest_pending ? new Date(r.oldest_pending) : null,
        bookingsToday: Number(r.today),
      }));
    },
  };
}
