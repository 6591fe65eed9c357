import { randomUUID } from 'node:crypto';
import { visitName } from '@shared/visit';
import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { BeforeCommit, BookingRecord, BookingStore, NewBooking, RescheduleWrite, TransitionWrite } from '../booking-ports';
import type { SlotRow, SlotStore, WorkshopStore } from '../catalog-ports';

/*
 * In-memory Postgres stand-ins for the booking, slot and workshop ports: the same refusals
 * (CAPACITY all-or-none, DUPLICATE_KEY, LIMIT, VERSION) and the same transaction shape
 * (writes → beforeCommit → COMMIT; a throw anywhere rolls everything back). Only the methods
 * the confirm, reschedule and transition paths call are implemented; the rest throw.
 */

const notFaked = (port: string, name: string) => () => {
  throw new Error(`${port}.${name} is not faked: use the Postgres repositories (server/db) for this test`);
};

type StoredSlot = SlotRow & { workshopId: string };

export function fakeSlotStore() {
  const rows = new Map<string, StoredSlot>();
  const port: SlotStore = {
    async byIds(ids) {
      return ids.flatMap((id) => (rows.has(id) ? [{ ...rows.get(id)! }] : [])).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    },
    async list(workshopId, from, to, limit) {
      const out = [...rows.values()]
        .filter((r) => r.workshopId === workshopId && !r.withdrawn && r.startsAt >= from && r.startsAt < to)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
      return limit === undefined ? out : out.slice(0, limit);
    },
    regenerate: notFaked('fakeSlotStore', 'regenerate'),
    liveIds: notFaked('fakeSlotStore', 'liveIds'),
    holdContext: notFaked('fakeSlotStore', 'holdContext'),
  };
  return Object.assign(port, {
    rows,
    /** `n` consecutive 30-minute slots of `capacity` from `start`. */
    add(workshopId: string, start: Date, n: number, capacity: number): StoredSlot[] {
      return Array.from({ length: n }, (_, i) => {
        const startsAt = new Date(start.getTime() + i * 30 * 60_000);
        const row: StoredSlot = { id: randomUUID(), workshopId, startsAt, endsAt: new Date(startsAt.getTime() + 30 * 60_000), capacity, booked: 0, withdrawn: false };
        rows.set(row.id, row);
        return { ...row };
      });
    },
    /** The vendor's schedule dropped a free slot (hours shortened, day closed). */
    remove: (id: string) => void rows.delete(id),
    get: (id: string) => ({ ...rows.get(id)! }),
  });
}
export type FakeSlotStore = ReturnType<typeof fakeSlotStore>;

export function fakeWorkshopStore() {
  const workshops = new Map<string, WorkshopView>();
  const services = new Map<string, ServiceView>();
  const no = (name: string) => notFaked('fakeWorkshopStore', name);
  const port: WorkshopStore = {
    async findById(id) {
      return workshops.get(id) ?? null;
    },
    async findService(id) {
      return services.get(id) ?? null;
    },
    create: no('create'),
    update: no('update'),
    detail: no('detail'),
    search: no('search'),
    setStatus: no('setStatus'),
    replaceHours: no('replaceHours'),
    addClosure: no('addClosure'),
    removeClosure: no('removeClosure'),
    createService: no('createService'),
    updateService: no('updateService'),
    retireService: no('retireService'),
    verificationRecords: no('verificationRecords'),
    setReturned: no('setReturned'),
    setReviewRequested: no('setReviewRequested'),
    verificationHistory: no('verificationHistory'),
    lapseExpiredInsurance: no('lapseExpiredInsurance'),
  };
  return Object.assign(port, {
    /** A verified workshop with one 30-minute service; `patch` overrides any field. */
    add(patch: Partial<WorkshopView> = {}) {
      const id = patch.id ?? randomUUID();
      const workshop: WorkshopView = {
        id,
        ownerId: randomUUID(),
        name: 'Fake Garage',
        slug: `fake-garage-${id.slice(0, 8)}`,
        description: null,
        city: 'Leeds',
        address: '1 Test Street',
        phone: null,
        email: null,
        lat: null,
        lng: null,
        timezone: 'Europe/London',
        status: 'verified',
        bays: 2,
        slotMinutes: 30,
        holdTtlSeconds: 120,
        acceptSlaMinutes: 60,
        autoAccept: false,
        autoAcceptMoves: false,
        ratingAvg: 0,
        ratingCount: 0,
        registrationNumber: null,
        insuranceExpiresOn: null,
        ...patch,
      };
      const service: ServiceView = {
        id: randomUUID(),
        workshopId: id,
        name: 'Oil change',
        category: 'maintenance',
        durationMinutes: 30,
        basePriceCents: 4999,
        currency: 'GBP',
        options: { skillTiers: [], urgency: [] },
        vehicleConstraints: null,
        active: true,
      };
      workshops.set(id, workshop);
      services.set(service.id, service);
      return { workshop, service };
    },
    setWorkshop: (id: string, patch: Partial<WorkshopView>) => void workshops.set(id, { ...workshops.get(id)!, ...patch }),
    setService: (id: string, patch: Partial<ServiceView>) => void services.set(id, { ...services.get(id)!, ...patch }),
  });
}
export type FakeWorkshopStore = ReturnType<typeof fakeWorkshopStore>;

const OPEN = new Set(['pending', 'accepted', 'in_progress']);

/** The booking store over a fake slot table: a "transaction" applies its writes only once beforeCommit and COMMIT succeed. */
export function fakeBookingStore(slots: FakeSlotStore, workshops: FakeWorkshopStore) {
  const bookings = new Map<string, BookingRecord>();
  const keys = new Map<string, { bookingId: string; holdId: string; at: Date }>();
  const hooks: {
    /** Awaited at the start of every write transaction (another writer can act here). */
    beforeWrite?: () => Promise<void> | void;
    /** Thrown by COMMIT (after beforeCommit ran): the outcome is unknown to the caller, and nothing was applied. */
    commitError?: Error;
  } = {};
  /** Refusals returned by create/reschedule, in order. */
  const refusals: string[] = [];

  const refuse = <R extends string>(reason: R) => {
    refusals.push(reason);
    return { ok: false as const, reason };
  };
  const takeUnits = (ids: string[]) => {
    const rows = ids.map((id) => slots.rows.get(id));
    if (rows.some((r) => !r || r.booked >= r.capacity)) return false;
    return true;
  };
  /** NewBooking.guard: the rows the booking was built from are still the store's. */
  const guardHolds = async (b: NewBooking, g: NonNullable<NewBooking['guard']>) => {
    const ws = await workshops.findById(b.workshopId);
    const svcs = await Promise.all(b.services.map((x) => workshops.findService(x.serviceId)));
    const rows = b.slotIds.map((id) => slots.rows.get(id));
    const present = rows.filter((r) => r !== undefined);
    return ws?.status === 'verified' && ws.autoAccept === g.autoAccept && ws.acceptSlaMinutes === g.acceptSlaMinutes && svcs.every((x) => x?.active === true)
      && present.length === rows.length
      && Math.min(...present.map((r) => r.startsAt.getTime())) === b.startsAt.getTime()
      && Math.max(...present.map((r) => r.endsAt.getTime())) === b.endsAt.getTime();
  };
  const commit = async (beforeCommit: BeforeCommit | undefined, apply: () => void) => {
    await beforeCommit?.();
    if (hooks.commitError) throw hooks.commitError;
    apply();
  };

  const port: BookingStore = {
    async findById(id) {
      const b = bookings.get(id);
      return b ? structuredClone(b) : null;
    },
    async findByIdempotencyKey(customerId, key, notBefore) {
      const k = keys.get(`${customerId}:${key}`);
      if (!k || k.at < notBefore) return null;
      return { booking: structuredClone(bookings.get(k.bookingId)!), holdId: k.holdId };
    },
    async countOpen(customerId) {
      return [...bookings.values()].filter((b) => b.customerId === customerId && OPEN.has(b.status)).length;
    },
    async create(b: NewBooking, beforeCommit) {
      await hooks.beforeWrite?.();
      const keyId = b.idempotencyKey ? `${b.customerId}:${b.idempotencyKey}` : null;
      const prior = keyId ? keys.get(keyId) : undefined;
      if (prior && prior.at >= b.keyReusableBefore) return refuse('DUPLICATE_KEY');
      if (b.guard && !(await guardHolds(b, b.guard))) return refuse('STALE');
      if (b.maxOpenPerCustomer !== undefined && (await port.countOpen(b.customerId)) >= b.maxOpenPerCustomer) return refuse('LIMIT');
      if (!takeUnits(b.slotIds)) return refuse('CAPACITY');
      const ws = await workshops.findById(b.workshopId);
      const svc = await workshops.findService(b.serviceId);
      const record: BookingRecord = {
        id: randomUUID(),
        ownerId: ws?.ownerId ?? '',
        staff: ws?.ownerId ? { [ws.ownerId]: 'owner' } : {},
        workshopId: b.workshopId,
        workshopName: ws?.name ?? '',
        serviceId: b.serviceId,
        serviceName: b.services.length > 1 ? visitName(b.services.map((x) => x.name)) : (svc?.name ?? ''),
        services: b.services.map(({ serviceId, name, durationMinutes, priceCents }) => ({ serviceId, name, durationMinutes, priceCents })),
        customerId: b.customerId,
        customerName: 'Fake Customer',
        status: b.status,
        startsAt: b.startsAt.toISOString(),
        endsAt: b.endsAt.toISOString(),
        slotIds: [...b.slotIds],
        priceCents: b.priceCents,
        currency: b.currency,
        vehicle: b.vehicle,
        notes: b.notes,
        version: 1,
        createdAt: b.createdAt.toISOString(),
        acceptDeadline: b.acceptDeadline?.toISOString() ?? null,
        movesBookingId: null,
        assignee: null,
        bay: null,
        options: b.options,
        slotCount: b.slotIds.length,
      };
      await commit(beforeCommit, () => {
        for (const id of b.slotIds) slots.rows.get(id)!.booked++;
        bookings.set(record.id, record);
        if (keyId) keys.set(keyId, { bookingId: record.id, holdId: b.holdId, at: b.keyAt });
      });
      return { ok: true as const, booking: structuredClone(record) };
    },
    async assign(a) {
      const b = bookings.get(a.id);
      if (!b || b.version !== a.version) return null;
      if (a.assigneeId && !b.staff[a.assigneeId]) return 'not_member' as const;
      Object.assign(b, { assignee: a.assigneeId ? { id: a.assigneeId, name: 'Fake Member' } : null, bay: a.bay, version: b.version + 1 });
      return structuredClone(b);
    },
    async reschedule(r: RescheduleWrite, beforeCommit) {
      await hooks.beforeWrite?.();
      const b = bookings.get(r.id);
      if (!b || b.version !== r.version) return refuse('VERSION');
      const fresh = r.newSlotIds.filter((id) => !r.oldSlotIds.includes(id));
      if (!takeUnits(fresh)) return refuse('CAPACITY');
      const moved = slots.rows.get(r.newSlotIds[0]!)!;
      const last = slots.rows.get(r.newSlotIds[r.newSlotIds.length - 1]!)!;
      await commit(beforeCommit, () => {
        for (const id of r.oldSlotIds) if (!r.newSlotIds.includes(id)) slots.rows.get(id)!.booked--;
        for (const id of fresh) slots.rows.get(id)!.booked++;
        Object.assign(b, { slotIds: [...r.newSlotIds], startsAt: moved.startsAt.toISOString(), endsAt: last.endsAt.toISOString(), version: b.version + 1 });
      });
      return { ok: true as const, booking: structuredClone(b) };
    },
    async transition(t: TransitionWrite) {
      await hooks.beforeWrite?.();
      const b = bookings.get(t.id);
      if (!b || b.status !== t.from || b.version !== t.version) return null;
      if (t.returnSlots) for (const id of b.slotIds) slots.rows.get(id)!.booked--;
      Object.assign(b, { status: t.to, version: b.version + 1 });
      return structuredClone(b);
    },
    list: notFaked('fakeBookingStore', 'list'),
    events: notFaked('fakeBookingStore', 'events'),
    contact: notFaked('fakeBookingStore', 'contact'),
    addEventOnce: notFaked('fakeBookingStore', 'addEventOnce'),
    requestMove: notFaked('fakeBookingStore', 'requestMove'),
    withEvent: notFaked('fakeBookingStore', 'withEvent'),
    purgeIdempotencyKeys: notFaked('fakeBookingStore', 'purgeIdempotencyKeys'),
    overduePending: notFaked('fakeBookingStore', 'overduePending'),
  };
  return Object.assign(port, {
    hooks,
    refusals,
    /** Another writer changed the booking (its version moves on), as a vendor's accept would. */
    touch(id: string) {
      const b = bookings.get(id)!;
      b.version++;
    },
  });
}
export type FakeBookingStore = ReturnType<typeof fakeBookingStore>;
