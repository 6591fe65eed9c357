import type { ClosureInput, CreateWorkshopInput, OpeningHoursInput, UpdateWorkshopInput, WorkshopStatus } from '@shared/schemas/workshop';
import type { CreateServiceInput, UpdateServiceInput } from '@shared/schemas/service';
import type { WorkshopView } from '@shared/schemas/views';
import type { AdminWorkshopItem, VerificationView } from '@shared/schemas/verification';
import type { Principal } from './actor';
import type { Clock } from './clock';
import type { WorkshopFilter, WorkshopStore } from './catalog-ports';
import { slotsOverHorizon, type WeeklyHours } from './slot-generation';
import { DomainError, notFound } from './errors';
import { readinessOf, type PlaceZones } from './readiness';
import type { Publisher } from './booking-ports';
import type { SlotRegeneration } from './slot-regeneration';
import type { StaffAccess } from './workshop-access';

/** Workshops, hours, closures and services: vendor onboarding, public catalog, admin verification. */
export interface ScheduleBounds {
  horizonDays: number;
  /** Most slots one workshop may have over the horizon (MAX_SLOTS_PER_WORKSHOP). */
  maxSlots: number;
}

export function createCatalog(deps: {
  workshops: WorkshopStore;
  slots: SlotRegeneration;
  clock: Clock;
  /** Which time zones a place can be in (the verification checklist's time-zone item). */
  zonesOf: PlaceZones;
  bounds?: ScheduleBounds;
  /**
   * After any edit a hold checks (workshop status, TTL, time zone; services; hours; closures):
   * bumps the workshop's schedule version so in-memory hold checks in every process are re-read.
   */
  changed?: (workshopId: string) => Promise<void>;
  /** Tells open screens that a workshop was suspended or reinstated. */
  publisher?: Pick<Publisher, 'workshopStatus'>;
  /** Who works in which workshop, and what their role may do (workshop-access.ts). */
  access: StaffAccess;
}) {
  const { workshops, slots, bounds } = deps;
  const changed = async (workshopId: string) => deps.changed?.(workshopId);

  /**
   * Every slot costs regeneration, Redis counters and snapshot bytes; hours and slot lengths
   * that would make more than the bound are refused before anything is saved.
   */
  function checkScheduleSize(hours: WeeklyHours[], slotMinutes: number) {
    if (!bounds) return;
    const count = slotsOverHorizon(hours, slotMinutes, bounds.horizonDays);
    if (count > bounds.maxSlots) {
      throw new DomainError(
        'SCHEDULE_TOO_LARGE',
        `These hours with ${slotMinutes}-minute slots make ${count} slots over ${bounds.horizonDays} days; at most ${bounds.maxSlots} are allowed. Use longer slots or fewer hours.`,
        { slots: count, maxSlots: bounds.maxSlots, horizonDays: bounds.horizonDays },
      );
    }
  }

  /** The workshop, if `actor` may change its settings (its owner); anyone else never learns more than "not yours". */
  const owned = async (actor: Principal, id: string): Promise<WorkshopView> => (await deps.access.require(actor, id, 'settings.edit')).workshop;

  const isPublic = (w: WorkshopView) => w.status === 'verified';
  /** Staff see their workshop in any status, with its retired services. */
  const isStaff = (w: WorkshopView, viewer: Principal | null) => deps.access.isMember(viewer, w.id);
  const canSee = async (w: WorkshopView, viewer: Principal | null) =>
    isPublic(w) || viewer?.role === 'admin' || (await isStaff(w, viewer));

  /** The checklist and the last decision, for the vendor who owns the workshop and for admins. */
  async function verificationOf(id: string): Promise<VerificationView> {
    const [detail, records] = await Promise.all([workshops.detail(id), workshops.verificationRecords([id])]);
    const record = records.get(id);
    if (!detail || !record) throw notFound('Workshop');
    const { owner: _owner, ...rest } = record;
    return { status: detail.status, readiness: readinessOf(detail, deps.zonesOf, deps.clock.now()), ...rest };
  }

  async function refreshSlots(w: WorkshopView) {
    if (w.status === 'verified') await slots.regenerate(w.id);
  }

  return {
    owned,

    async create(actor: Principal, input: CreateWorkshopInput) {
      return workshops.create(actor.id, input);
    },

    async update(actor: Principal, id: string, patch: UpdateWorkshopInput) {
      const before = await owned(actor, id);
      if (patch.slotMinutes !== undefined && patch.slotMinutes !== before.slotMinutes) {
        checkScheduleSize((await workshops.detail(id))?.hours ?? [], patch.slotMinutes);
      }
      const after = await workshops.update(id, patch);
      if (before.bays !== after.bays || before.slotMinutes !== after.slotMinutes || before.timezone !== after.timezone) {
        await refreshSlots(after);
      }
      await changed(id);
      return after;
    },

    async setHours(actor: Principal, id: string, rows: OpeningHoursInput) {
      const w = await owned(actor, id);
      checkScheduleSize(rows, w.slotMinutes);
      await workshops.replaceHours(id, rows);
      await refreshSlots(w);
      await changed(id);
      return (await workshops.detail(id))!.hours;
    },

    async addClosure(actor: Principal, id: string, input: ClosureInput) {
      const w = await owned(actor, id);
      const closure = await workshops.addClosure(id, input);
      if (!closure) throw new DomainError('CONFLICT', `The workshop is already closed on ${input.date}`);
      await refreshSlots(w);
      await changed(id);
      return closure;
    },

    async removeClosure(actor: Principal, id: string, closureId: string) {
      const w = await owned(actor, id);
      if (!(await workshops.removeClosure(id, closureId))) throw notFound('Closure');
      await refreshSlots(w);
      await changed(id);
    },

    async createService(actor: Principal, id: string, input: CreateServiceInput) {
      await owned(actor, id);
      const s = await workshops.createService(id, input);
      await changed(id);
      return s;
    },

    async updateService(actor: Principal, id: string, serviceId: string, patch: UpdateServiceInput) {
      await owned(actor, id);
      const s = await workshops.updateService(id, serviceId, patch);
      if (!s) throw notFound('Service');
      await changed(id);
      return s;
    },

    async retireService(actor: Principal, id: string, serviceId: string) {
      await owned(actor, id);
      if (!(await workshops.retireService(id, serviceId))) throw notFound('Service');
      await changed(id);
    },

    /** The workshops the actor works in (as owner or staff), each with their role there. */
    async mine(actor: Principal) {
      const memberships = await deps.access.workshopsOf(actor.id);
      const list = memberships.length ? await workshops.search({ ids: memberships.map((m) => m.workshopId), sort: 'name' }) : [];
      return { workshops: list, memberships };
    },

    /** Public search: verified workshops only. */
    search: (filter: Omit<WorkshopFilter, 'status' | 'ownerId' | 'freeAfter'>) =>
      workshops.search({ ...filter, status: 'verified', freeAfter: new Date(deps.clock.now()) }),

    async detail(id: string, viewer: Principal | null) {
      const w = await workshops.detail(id);
      if (!w || !(await canSee(w, viewer))) throw notFound('Workshop');
      const showRetired = viewer?.role === 'admin' || (await isStaff(w, viewer));
      return showRetired ? w : { ...w, services: w.services.filter((s) => s.active) };
    },

    /** A workshop the viewer may see, or NOT_FOUND (pending workshops stay invisible to the public). */
    async visible(id: string, viewer: Principal | null) {
      const w = await workshops.findById(id);
      if (!w || !(await canSee(w, viewer))) throw notFound('Workshop');
      return w;
    },

    /** The verification queue: each workshop with its owner and checklist; returned ones last. */
    async adminList(status?: WorkshopStatus): Promise<AdminWorkshopItem[]> {
      const list = await workshops.search({ status, sort: 'name' });
      const records = await workshops.verificationRecords(list.map((w) => w.id));
      const items = await Promise.all(list.map(async (w) => {
        const detail = await workshops.detail(w.id);
        const record = records.get(w.id);
        if (!detail || !record) return null; // deleted meanwhile
        const { owner, ...rest } = record;
        return { ...w, owner, verification: { status: w.status, readiness: readinessOf(detail, deps.zonesOf, deps.clock.now()), ...rest } };
      }));
      return items.filter((i) => i !== null).sort((a, b) => Number(!!a.verification.returned) - Number(!!b.verification.returned));
    },

    async verification(actor: Principal, id: string): Promise<VerificationView> {
      if (actor.role !== 'admin') await deps.access.require(actor, id, 'desk.view');
      return verificationOf(id);
    },

    /** An admin sends a pending workshop back to its vendor with what to fix. */
    async returnToVendor(id: string, reason: string): Promise<VerificationView> {
      const w = await workshops.findById(id);
      if (!w) throw notFound('Workshop');
      if (w.status !== 'pending') throw new DomainError('CONFLICT', `Only a workshop waiting for verification can be returned; this one is ${w.status}`);
      await workshops.setReturned(id, reason, new Date(deps.clock.now()));
      return verificationOf(id);
    },

    /** The vendor has fixed what the admin asked for and asks for review again. */
    async requestReview(actor: Principal, id: string): Promise<VerificationView> {
      const w = await owned(actor, id);
      const current = await verificationOf(id);
      if (w.status !== 'pending' || !current.returned) throw new DomainError('CONFLICT', 'This workshop is not waiting on changes from you');
      await workshops.setReviewRequested(id, new Date(deps.clock.now()));
      return verificationOf(id);
    },

    /**
     * Verify (or reinstate) only a workshop whose checklist is complete; suspend any time. A verify
     * adds a row to the verification record (by `by`, an admin's id; null: the system, e.g. seeding).
     */
    async setStatus(id: string, status: WorkshopStatus, by: { actorId: string | null; reason: string | null } = { actorId: null, reason: null }) {
      const before = await workshops.detail(id);
      if (!before) throw notFound('Workshop');
      if (status === 'verified') {
        const readiness = readinessOf(before, deps.zonesOf, deps.clock.now());
        if (!readiness.ready) {
          const open = readiness.items.filter((i) => !i.ok);
          throw new DomainError('NOT_READY', `Not ready to verify: ${open.map((i) => `${i.label.toLowerCase()} (${i.detail})`).join('; ')}`, { missing: open.map((i) => i.key) });
        }
      }
      const stamp = status === 'verified' ? { byId: by.actorId, reason: by.reason, at: new Date(deps.clock.now()) } : undefined;
      const w = await workshops.setStatus(id, status, stamp);
      if (w.status !== before.status) deps.publisher?.workshopStatus({ workshopId: id, status: w.status });
      await refreshSlots(w);
      await changed(id);
      return w;
    },

    /** The verification record of a workshop, newest first: admins read any, the owner their own. */
    async verificationHistory(actor: Principal, id: string) {
      if (actor.role !== 'admin') await owned(actor, id);
      else if (!(await workshops.findById(id))) throw notFound('Workshop');
      return workshops.verificationHistory(id);
    },

    /**
     * The re-verification sweep: verified workshops whose insurance has expired (on their own
     * calendar day, by the clock) go back to pending (hidden, not bookable) with a 'lapsed' row in
     * the verification record; the owner updates the expiry and an admin verifies again. Safe to
     * run often and from every process at once (a guarded update lapses each workshop once).
     */
    async lapseExpiredInsurance() {
      const lapsed = await workshops.lapseExpiredInsurance(new Date(deps.clock.now()));
      for (const w of lapsed) {
        deps.publisher?.workshopStatus({ workshopId: w.id, status: 'pending' });
        await changed(w.id);
      }
      return lapsed;
    },
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
