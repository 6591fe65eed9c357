import type { MikroORM } from '@mikro-orm/postgresql';
import type { SlotRow, SlotStore } from '../domain/catalog-ports';
import { Closure, OpeningHours, Slot, Workshop, type ISlot } from './entities/index';

const row = (s: ISlot): SlotRow => ({ id: s.id, startsAt: s.startsAt, endsAt: s.endsAt, capacity: s.capacity, booked: s.booked });

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
        const existing = await t.find(Slot, { workshop: workshopId, startsAt: { $gte: from } });
        const p = plan(
          {
            timezone: w.timezone,
            slotMinutes: w.slotMinutes,
            bays: w.bays,
            hours: hours.map((h) => ({ weekday: h.weekday, opens: h.opens, closes: h.closes })),
            closures: closures.map((c) => ({ date: c.date })),
          },
          existing.map(row),
        );
        if (p.create.length) {
          await t.insertMany(
            Slot,
            p.create.map((s) => ({ id: crypto.randomUUID(), workshop: workshopId, startsAt: s.startsAt, endsAt: s.endsAt, capacity: s.capacity, booked: 0 })),
          );
        }
        const updated: string[] = [];
        for (const u of p.update) {
          // The guard re-checks in SQL what the plan decided: never below what is booked.
          const change = u.endsAt ? { capacity: u.capacity, endsAt: u.endsAt } : { capacity: u.capacity };
          // A new end only for a slot nobody has booked (checked again here, under the row lock).
          const where = u.endsAt ? { id: u.id, booked: 0 } : { id: u.id, booked: { $lte: u.capacity } };
          const n = await t.nativeUpdate(Slot, where, change);
          if (n) updated.push(u.id);
        }
        let removed: string[] = [];
        if (p.remove.length) {
          const rows = await t.execute<Array<{ id: string }>>(
            `delete from slot where id in (?) and booked = 0
               and not exists (select 1 from booking_slot bs where bs.slot_id = slot.id) returning id`,
            [p.remove],
          );
          removed = rows.map((r) => r.id);
        }
        return { created: p.create.length, updated, removed };
      });
    },

    async list(workshopId, from, to) {
      const slots = await orm.em.fork().find(
        Slot,
        { workshop: workshopId, startsAt: { $gte: from, $lt: to } },
        { orderBy: { startsAt: 'asc' } },
      );
      return slots.map(row);
    },

    async byIds(ids) {
      if (!ids.length) return [];
      const slots = await orm.em.fork().find(Slot, { id: { $in: ids } }, { orderBy: { startsAt: 'asc' } });
      return slots.map((s) => ({ ...row(s), workshopId: s.workshop.id }));
    },
  };
}
