import { randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/postgresql';
import type { VerificationAction, VerificationRecordView } from '@shared/schemas/verification';
import { serviceOptionsSchema } from '@shared/service-options';
import type { VerificationStamp, WorkshopStore } from '../domain/catalog-ports';
import { Closure, OpeningHours, Service, User, Workshop, WorkshopMember, type IWorkshop } from './entities/index';
import { closureView, hoursView, SERVICE_COLUMNS, serviceFromRow, serviceView, WORKSHOP_COLUMNS, workshopFromRow, workshopView } from './workshop-views';

function slugify(name: string): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100);
  return `${base || 'workshop'}-${randomBytes(3).toString('hex')}`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

interface RecordRow {
  id: string;
  workshop_id: string;
  action: VerificationAction;
  registration_number: string | null;
  insurance_expires_on: string | null;
  by_id: string | null;
  by_name: string | null;
  reason: string | null;
  created_at: Date;
}

const RECORD_SELECT = `select v.id, v.workshop_id, v.action, v.registration_number, to_char(v.insurance_expires_on, 'YYYY-MM-DD') as insurance_expires_on,
  v.by_id, u.name as by_name, v.reason, v.created_at
  from workshop_verification v left join "user" u on u.id = v.by_id`;

const recordView = (r: RecordRow): VerificationRecordView => ({
  id: r.id,
  workshopId: r.workshop_id,
  action: r.action,
  registrationNumber: r.registration_number,
  insuranceExpiresOn: r.insurance_expires_on,
  by: r.by_id ? { id: r.by_id, name: r.by_name ?? '' } : null,
  reason: r.reason,
  at: new Date(r.created_at).toISOString(),
});

/** A verify: 'reverified' when the latest row is a lapse, else 'verified'; what was checked is copied from the workshop row. */
async function insertVerification(t: EntityManager, workshopId: string, stamp: VerificationStamp) {
  await t.execute(
    `insert into workshop_verification (id, workshop_id, action, registration_number, insurance_expires_on, by_id, reason, created_at)
     select ?, w.id,
            case when (select action from workshop_verification where workshop_id = w.id order by created_at desc, seq desc limit 1) = 'lapsed' then 'reverified' else 'verified' end,
            w.registration_number, w.insurance_expires_on, ?, ?, ?
       from workshop w where w.id = ?`,
    [randomUUID(), stamp.byId, stamp.reason, stamp.at, workshopId],
  );
}

/** WorkshopStore on MikroORM; each method is one unit of work. */
export function createWorkshopRepository(orm: MikroORM): WorkshopStore {
  const em = () => orm.em.fork();

  /** Each workshop's earliest slot with a unit not booked (holds are short-lived and not counted). */
  async function nextFreeSlots(ids: string[], after: Date): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await orm.em.getConnection().execute<Array<{ workshop_id: string; next: Date }>>(
      `select workshop_id, min(starts_at) as next from slot
        where workshop_id in (?) and starts_at > ? and booked < capacity group by workshop_id`,
      [ids, after],
    );
    return new Map(rows.map((r) => [r.workshop_id, new Date(r.next).toISOString()]));
  }

  /** Each workshop's cheapest active service (in the category, when one is asked for): "from £x". */
  async function fromPrices(ids: string[], category?: string): Promise<Map<string, { cents: number; currency: string }>> {
    if (!ids.length) return new Map();
    const rows = await orm.em.getConnection().execute<Array<{ workshop_id: string; cents: number; currency: string }>>(
      `select distinct on (workshop_id) workshop_id, base_price_cents as cents, currency from service
        where workshop_id in (?) and active ${category ? 'and category = ?' : ''}
        order by workshop_id, base_price_cents`,
      category ? [ids, category] : [ids],
    );
    return new Map(rows.map((r) => [r.workshop_id, { cents: Number(r.cents), currency: r.currency }]));
  }

  return {
    async create(ownerId, input) {
      const e = em();
      const w = e.create(Workshop, {
        ...input,
        owner: e.getReference(User, ownerId),
        slug: slugify(input.name),
        description: input.description ?? null,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
        phone: input.phone ?? null,
        email: input.email ?? null,
        registrationNumber: input.registrationNumber ?? null,
        insuranceExpiresOn: input.insuranceExpiresOn ?? null,
      });
      // The owner is the workshop's first member (same flush, same transaction).
      e.create(WorkshopMember, { workshop: w, user: e.getReference(User, ownerId), role: 'owner', invitedBy: null, createdAt: new Date() });
      await e.flush();
      return workshopView(w);
    },

    async update(id, patch) {
      const e = em();
      const w = await e.findOneOrFail(Workshop, { id });
      e.assign(w, patch);
      await e.flush();
      return workshopView(w);
    },

    async findById(id) {
      const [r] = await orm.em.getConnection().execute(`select ${WORKSHOP_COLUMNS} from workshop where id = ?`, [id]);
      return r ? workshopFromRow(r) : null;
    },

    async detail(id) {
      const e = em();
      const w = await e.findOne(Workshop, { id });
      if (!w) return null;
      const [services, hours, closures] = await Promise.all([
        e.find(Service, { workshop: id }, { orderBy: { category: 'asc', name: 'asc' } }),
        e.find(OpeningHours, { workshop: id }, { orderBy: { weekday: 'asc', opens: 'asc' } }),
        e.find(Closure, { workshop: id, date: { $gte: new Date().toISOString().slice(0, 10) } }, { orderBy: { date: 'asc' } }),
      ]);
      return { ...workshopView(w), services: services.map(serviceView), hours: hours.map(hoursView), closures: closures.map(closureView) };
    },

    async search(f) {
      const where: FilterQuery<IWorkshop> = {};
      if (f.status) where.status = f.status;
      if (f.ownerId) where.owner = f.ownerId;
      if (f.ids) where.id = { $in: f.ids };
      if (f.city) where.city = { $ilike: escapeLike(f.city) };
      if (f.q) {
        const like = `%${escapeLike(f.q)}%`;
        where.$or = [{ name: { $ilike: like } }, { city: { $ilike: like } }, { description: { $ilike: like } }];
      }
      if (f.category) {
        const e = em();
        const rows = await e.find(Service, { category: f.category, active: true }, { fields: ['workshop'] });
        const inCategory = [...new Set(rows.map((s) => s.workshop.id))];
        where.id = { $in: f.ids ? inCategory.filter((id) => f.ids!.includes(id)) : inCategory };
      }
      const orderBy = f.sort === 'rating' ? { ratingAvg: 'desc', name: 'asc' } as const : { name: 'asc' } as const;
      const list = (await em().find(Workshop, where, { orderBy, limit: f.limit ?? 200 })).map(workshopView);
      const ids = list.map((w) => w.id);
      const [next, prices] = await Promise.all([nextFreeSlots(ids, f.freeAfter ?? new Date()), fromPrices(ids, f.category)]);
      const items = list.map((w) => ({ ...w, nextFreeAt: next.get(w.id) ?? null, fromPrice: prices.get(w.id) ?? null }));
      // Soonest first; workshops with nothing free go last, in name order.
      if (f.sort === 'soonest') items.sort((a, b) => (a.nextFreeAt ?? '~').localeCompare(b.nextFreeAt ?? '~'));
      return items;
    },

    async setStatus(id, status, stamp) {
      return em().transactional(async (t) => {
        const w = await t.findOneOrFail(Workshop, { id });
        w.status = status;
        await t.flush();
        if (stamp) await insertVerification(t, id, stamp);
        return workshopView(w);
      });
    },

    async verificationHistory(id) {
      const rows = await orm.em.getConnection().execute<RecordRow[]>(`${RECORD_SELECT} where v.workshop_id = ? order by v.created_at desc, v.seq desc limit 200`, [id]);
      return rows.map(recordView);
    },

    async lapseExpiredInsurance(now) {
      // Each workshop's own calendar day at `now`; the status guard makes a second sweeper a no-op.
      const rows = await orm.em.getConnection().execute<Array<{ id: string; insurance_expires_on: unknown }>>(
        `with lapsed as (
           update workshop set status = 'pending', updated_at = ?
            where status = 'verified' and insurance_expires_on is not null
              and insurance_expires_on < (?::timestamptz at time zone timezone)::date
           returning id, registration_number, insurance_expires_on
         ), recorded as (
           insert into workshop_verification (id, workshop_id, action, registration_number, insurance_expires_on, by_id, reason, created_at)
           select gen_random_uuid(), id, 'lapsed', registration_number, insurance_expires_on, null, 'Insurance expired on ' || to_char(insurance_expires_on, 'YYYY-MM-DD'), ?
             from lapsed
         )
         select id, to_char(insurance_expires_on, 'YYYY-MM-DD') as insurance_expires_on from lapsed`,
        [now, now, now],
      );
      return rows.map((r) => ({ id: r.id, insuranceExpiresOn: String(r.insurance_expires_on) }));
    },

    async replaceHours(id, rows) {
      await em().transactional(async (t) => {
        await t.nativeDelete(OpeningHours, { workshop: id });
        for (const r of rows) t.create(OpeningHours, { ...r, workshop: t.getReference(Workshop, id) });
      });
    },

    async addClosure(id, input) {
      const e = em();
      const c = e.create(Closure, { workshop: e.getReference(Workshop, id), date: input.date, reason: input.reason ?? null });
      try {
        await e.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return null;
        throw err;
      }
      return closureView(c);
    },

    async removeClosure(id, closureId) {
      return (await em().nativeDelete(Closure, { id: closureId, workshop: id })) > 0;
    },

    async createService(workshopId, input) {
      const e = em();
      const s = e.create(Service, {
        ...input,
        options: input.options ? serviceOptionsSchema.parse(input.options) : serviceOptionsSchema.parse({}),
        vehicleConstraints: input.vehicleConstraints ?? null,
        workshop: e.getReference(Workshop, workshopId),
      });
      await e.flush();
      return serviceView(s);
    },

    async updateService(workshopId, serviceId, patch) {
      const e = em();
      const s = await e.findOne(Service, { id: serviceId, workshop: workshopId, active: true });
      if (!s) return null;
      const { options, vehicleConstraints, ...rest } = patch;
      e.assign(s, rest);
      if (options) s.options = serviceOptionsSchema.parse(options);
      // Replaced whole (never merged into the old one); null clears them.
      if (vehicleConstraints !== undefined) s.vehicleConstraints = vehicleConstraints;
      await e.flush();
      return serviceView(s);
    },

    async retireService(workshopId, serviceId) {
      return (await em().nativeUpdate(Service, { id: serviceId, workshop: workshopId, active: true }, { active: false })) > 0;
    },

    async verificationRecords(ids) {
      if (!ids.length) return new Map();
      const latest = await orm.em.getConnection().execute<RecordRow[]>(
        `select distinct on (v.workshop_id) ${RECORD_SELECT.slice('select'.length)} where v.workshop_id in (?) order by v.workshop_id, v.created_at desc, v.seq desc`,
        [ids],
      );
      const latestBy = new Map(latest.map((r) => [r.workshop_id, recordView(r)]));
      const rows = await orm.em.getConnection().execute<Array<Record<string, any>>>(
        `select w.id, w.review_note, w.reviewed_at, w.review_requested_at, u.id as owner_id, u.name as owner_name, u.email as owner_email
           from workshop w join "user" u on u.id = w.owner_id where w.id in (?)`,
        [ids],
      );
      return new Map(rows.map((r) => [r.id, {
        owner: { id: r.owner_id, name: r.owner_name, email: r.owner_email },
        latest: latestBy.get(r.id) ?? null,
        returned: r.review_note ? { reason: r.review_note, at: new Date(r.reviewed_at).toISOString() } : null,
        reviewRequestedAt: r.review_requested_at ? new Date(r.review_requested_at).toISOString() : null,
      }]));
    },

    async setReturned(id, reason, at) {
      await em().nativeUpdate(Workshop, { id }, { reviewNote: reason, reviewedAt: at, reviewRequestedAt: null });
    },

    async setReviewRequested(id, at) {
      await em().nativeUpdate(Workshop, { id }, { reviewNote: null, reviewRequestedAt: at });
    },

    async findService(serviceId) {
      const [r] = await orm.em.getConnection().execute(`select ${SERVICE_COLUMNS} from service where id = ?`, [serviceId]);
      return r ? serviceFromRow(r) : null;
    },
  };
}
