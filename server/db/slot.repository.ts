import type { MikroORM } from '@mikro-orm/postgresql';
import type { SlotRow, SlotStore } from '../domain/catalog-ports';
import type { HoldCatalogSource } from '../domain/hold-catalog';
import { Closure, OpeningHours, Slot, Workshop } from './entities/index';
import { SERVICE_COLUMNS, serviceFromRow, WORKSHOP_COLUMNS, workshopFromRow } from './workshop-views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, workshop_id, starts_at, ends_at, capacity, booked, withdrawn';
interface RawSlot {
  id: string;
  workshop_id: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  booked: number;
  withdrawn: boolean;
}
const fromRaw = (r: RawSlot) => ({
  id: r.id,
  workshopId: r.workshop_id,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  capacity: Number(r.capacity),
  booked: Number(r.booked),
  withdrawn: r.withdrawn === true,
});

/**
 * The hold catalog's rows for one workshop (server/domain/hold-catalog.ts) in one query: the
 * workshop, all its services (retired ones too: a hold on one is refused, not looked up again)
 * and its slots ending after `from`, withdrawn ones included, by start.
 */
export function createHoldCatalogSource(orm: MikroORM): HoldCatalogSource {
  return async (workshopId, from) => {
    if (!UUID.test(workshopId)) return { workshop: null, services: [], slots: [] };
    const [row] = await orm.em.getConnection().execute<Array<{ workshop: any; services: any[]; slots: any[] }>>(
      `select (select row_to_json(w) from (select ${WORKSHOP_COLUMNS} from workshop where id = ?) w) as workshop,
              (select coalesce(json_agg(s), '[]'::json) from (select ${SERVICE_COLUMNS} from service where workshop_id = ?) s) as services,
              (select coalesce(json_agg(r order by r.starts_at), '[]'::json) from (
                 select ${COLUMNS} from slot where workshop_id = ? and ends_at > ?) r) as slots`,
      [workshopId, workshopId, workshopId, from],
    );
    return {
      workshop: row?.workshop ? workshopFromRow(row.workshop) : null,
      services: (row?.services ?? []).map(serviceFromRow),
      slots: (row?.slots ?? []).map(fromRaw),
    };
  };
}

/** SlotStore: regeneration runs under a per-workshop advisory lock so two edits never race. */
export function createSlotRepository(orm: MikroORM): SlotStore {
  return {
    async regenerate(workshopId, from, plan) {
      return orm.em.fork().transactional(async (t) => {
        await t.execute('select pg_advisory_xact_lock(hashtext(?))', [`slots:${workshopId}`]);
        const w = await t.findOneOrFail(Workshop, { id: workshopId });
        // One connection per transaction: queries run one after another, never in parallel.
        const hours = await t.find(OpeningHours, { workshop: workshopId });
        const closures = await t.find(Closure, { workshop: workshopId });
        // Plain rows (thousands for a busy workshop): entity hydration would cost more than the SQL.
        const existing = await t.execute<RawSlot[]>(`select ${COLUMNS} from slot where workshop_id = ? and starts_at >= ?`, [workshopId, from]);
        const p = plan(
          {
            timezone: w.timezone,
            slotMinutes: w.slotMinutes,
            bays: w.bays,
            hours: hours.map((h) => ({ weekday: h.weekday, opens: h.opens, closes: h.closes })),
            closures: closures.map((c) => ({ date: c.date })),
          },
          existing.map(fromRaw),
        );
        // Each step is one statement whatever the number of slots: rows travel as one JSON parameter.
        if (p.create.length) {
          await t.execute(
            `insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked)
             select v.id, ?, v.starts_at, v.ends_at, v.capacity, 0
               from json_to_recordset(?::json) as v(id uuid, starts_at timestamptz, ends_at timestamptz, capacity int)`,
            [workshopId, JSON.stringify(p.create.map((s) => ({ id: crypto.randomUUID(), starts_at: s.startsAt, ends_at: s.endsAt, capacity: s.capacity })))],
          );
        }
        let updated: string[] = [];
        if (p.update.length) {
          // The guard re-checks in SQL what the plan decided, under the row locks: capacity never
          // below what is booked, and a new end only for a slot nobody has booked.
          const rows = await t.execute<Array<{ id: string }>>(
            `update slot s set capacity = v.capacity, ends_at = coalesce(v.ends_at, s.ends_at)
               from json_to_recordset(?::json) as v(id uuid, capacity int, ends_at timestamptz)
              where s.id = v.id and s.workshop_id = ?
                and case when v.ends_at is null then s.booked <= v.capacity else s.booked = 0 end
              returning s.id`,
            [JSON.stringify(p.update.map((u) => ({ id: u.id, capacity: u.capacity, ends_at: u.endsAt ?? null }))), workshopId],
          );
          updated = rows.map((r) => r.id);
        }
        let removed: string[] = [];
        if (p.remove.length) {
          const rows = await t.execute<Array<{ id: string }>>(
            `delete from slot where id = any(?::uuid[]) and booked = 0
               and not exists (select 1 from booking_slot bs where bs.slot_id = slot.id) returning id`,
            [`{${p.remove.join(',')}}`],
          );
          removed = rows.map((r) => r.id);
        }
        let withdrawn: string[] = [];
        if (p.withdraw.length) {
          // capacity = booked in the same statement, under the row lock: a confirm racing this
          // edit either landed before (and is counted) or finds no unit left.
          const rows = await t.execute<Array<{ id: string }>>(
            'update slot set capacity = booked, withdrawn = true where id in (?) and booked > 0 returning id',
            [p.withdraw],
          );
          withdrawn = rows.map((r) => r.id);
        }
        // A slot the schedule dropped that could not be deleted (a cancelled booking's history still
        // names it, or a confirm booked it meanwhile) is withdrawn instead: it must not stay on sale.
        const kept = p.remove.filter((id) => !removed.includes(id));
        if (kept.length) {
          const rows = await t.execute<Array<{ id: string }>>(
            'update slot set capacity = booked, withdrawn = true where id in (?) and not (withdrawn and capacity = booked) returning id',
            [kept],
          );
          withdrawn = [...withdrawn, ...rows.map((r) => r.id)];
        }
        const reinstated: string[] = [];
        for (const r of p.reinstate) {
          const n = await t.nativeUpdate(Slot, { id: r.id, withdrawn: true, booked: { $lte: r.capacity } }, { capacity: r.capacity, withdrawn: false });
          if (n) reinstated.push(r.id);
        }
        return {
          created: p.create.length,
          updated: [...updated, ...withdrawn, ...reinstated],
          removed,
          offerChanged: withdrawn.length + reinstated.length > 0,
        };
      });
    },

    async liveIds(ids, after) {
      const valid = ids.filter((id) => UUID.test(id));
      if (!valid.length) return new Set();
      const rows = await orm.em.getConnection().execute<Array<{ id: string }>>(
        'select id from slot where id = any(?::uuid[]) and ends_at > ?',
        [`{${valid.join(',')}}`, after],
      );
      return new Set(rows.map((r) => r.id));
    },

    // Hot paths (every availability snapshot, hold and confirm): plain rows, no entity hydration,
    // which the load runner measured at ~10x cheaper for a week of slots.
    async list(workshopId, from, to, limit) {
      const rows = await orm.em.getConnection().execute<RawSlot[]>(
        `select ${COLUMNS} from slot where workshop_id = ? and starts_at >= ? and starts_at < ? and not withdrawn order by starts_at${limit === undefined ? '' : ' limit ?'}`,
        limit === undefined ? [workshopId, from, to] : [workshopId, from, to, limit],
      );
      return rows.map(fromRaw);
    },

    async holdContext(workshopId, serviceIds, slotId) {
      const [row] = await orm.em.getConnection().execute<Array<{ workshop: any; services: any[]; first: any; run: any[] }>>(
        `with f as (select ${COLUMNS} from slot where id = ?),
              w as (select ${WORKSHOP_COLUMNS} from workshop where id = ?),
              s as (select ${SERVICE_COLUMNS} from service where id = any(?::uuid[])),
              d as (select coalesce(sum(duration_minutes), 0) as minutes from s)
         select (select row_to_json(w) from w) as workshop,
                (select coalesce(json_agg(s), '[]'::json) from s) as services,
                (select row_to_json(f) from f) as first,
                (select coalesce(json_agg(r order by r.starts_at), '[]'::json) from (
                   select sl.id, sl.workshop_id, sl.starts_at, sl.ends_at, sl.capacity, sl.booked, sl.withdrawn from slot sl, f, d
                    where sl.workshop_id = f.workshop_id and sl.starts_at >= f.starts_at
                      and sl.starts_at < f.starts_at + d.minutes * interval '1 minute' + (f.ends_at - f.starts_at)
                    order by sl.starts_at) r) as run`,
        [slotId, workshopId, `{${serviceIds.join(',')}}`],
      );
      return {
        workshop: row?.workshop ? workshopFromRow(row.workshop) : null,
        services: (row?.services ?? []).map(serviceFromRow),
        first: row?.first ? fromRaw(row.first) : null,
        candidates: (row?.run ?? []).map(fromRaw),
      };
    },

    async byIds(ids) {
      if (!ids.length) return [];
      // One array parameter: a regeneration may ask for thousands.
      const rows = await orm.em.getConnection().execute<RawSlot[]>(`select ${COLUMNS} from slot where id = any(?::uuid[]) order by starts_at`, [`{${ids.join(',')}}`]);
      return rows.map(fromRaw);
    },
  };
}
