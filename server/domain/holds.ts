import type { CreateHoldInput, HoldView } from '@shared/schemas/booking';
import type { VehicleInput } from './booking-ports';
import { vehicleRefusal } from './vehicle-constraints';
import { optionChoiceSchema, type OptionChoice } from '@shared/service-options';
import { visitTotal, type VisitTotal } from '@shared/visit';
import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { Principal } from './actor';
import type { SlotRow, SlotStore } from './catalog-ports';
import type { Clock } from './clock';
import type { KnownRows, Publisher } from './booking-ports';
import { DomainError, notFound } from './errors';
import { createHoldCatalog, type HoldCatalogEntry, type HoldCatalogSource } from './hold-catalog';
import { serviceIdsOf, type HoldRecord, type Released } from './hold-ports';
import type { LiveCounts } from './live-counts';
import { localDayOf } from './slot-generation';

export interface HoldRules {
  maxActivePerCustomer: number;
  maxExtensions: number;
  /** Total life of a hold, as a multiple of the workshop's TTL. */
  maxLifeFactor: number;
  /** Hold attempts per customer per minute (RATE_LIMIT_HOLDS_PER_MIN); absent: unlimited. */
  perMinute?: number;
}

export const DEFAULT_HOLD_RULES: HoldRules = { maxActivePerCustomer: 3, maxExtensions: 2, maxLifeFactor: 3 };

export function holdView(h: HoldRecord): HoldView {
  const services = h.services ?? [{ serviceId: h.serviceId, options: h.options ?? {} }];
  return {
    id: h.id,
    workshopId: h.workshopId,
    serviceId: h.serviceId,
    serviceIds: services.map((s) => s.serviceId),
    slotIds: h.slotIds,
    expiresAt: new Date(h.expiresAt).toISOString(),
    extensions: h.extensions,
    options: h.options ?? {},
    serviceOptions: Object.fromEntries(services.map((s) => [s.serviceId, s.options])),
    priceCents: h.quote?.priceCents ?? null,
  };
}

/** The services a hold request names, each with its choice: `serviceId` + `options`, or `serviceIds` + `serviceOptions`. */
export function requestedServices(input: CreateHoldInput): Array<{ serviceId: string; options: OptionChoice }> {
  if (input.serviceIds) return input.serviceIds.map((id) => ({ serviceId: id, options: optionChoiceSchema.parse(input.serviceOptions?.[id] ?? {}) }));
  if (!input.serviceId) throw new DomainError('VALIDATION_FAILED', 'Name the service (serviceId) or the services of the visit (serviceIds)');
  return [{ serviceId: input.serviceId, options: optionChoiceSchema.parse(input.options ?? {}) }];
}

const mismatch = (message: string, details?: Record<string, unknown>) => new DomainError('SLOT_SERVICE_MISMATCH', message, details);

/** Short, atomic, expiring holds on the consecutive slots a service needs. */
export function createHolds(deps: {
  live: LiveCounts;
  slots: SlotStore;
  clock: Clock;
  publisher: Pick<Publisher, 'holdExpired'>;
  /** Workshop, services and slots of one workshop for the in-memory hold catalog. */
  catalogSource: HoldCatalogSource;
  rules?: Partial<HoldRules>;
  /** A garage vehicle (`vehicleId` on a hold), checked against the service's vehicle constraints; absent: vehicleId is refused. */
  vehicleCopy?: (customerId: string, vehicleId: string) => Promise<VehicleInput>;
}) {
  const rules = { ...DEFAULT_HOLD_RULES, ...deps.rules };
  const catalog = createHoldCatalog({
    source: deps.catalogSource,
    version: (id) => deps.live.scheduleVersion(id),
    seed: (id, seeds) => deps.live.seedAbsent(id, seeds),
    now: () => deps.clock.now(),
  });

  function requireCustomer(actor: Principal) {
    if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customer accounts can hold slots');
  }

  type Checked = { workshop: WorkshopView; services: ServiceView[]; visit: Extract<VisitTotal, { ok: true }>; run: SlotRow[] };
  type Wanted = Array<{ serviceId: string; options: OptionChoice }>;

  /** Every refusal a hold can meet before Redis: the bookable workshop and services, the price, the run of slots. */
  function check(
    workshopId: string,
    workshop: WorkshopView | null,
    found: ReadonlyMap<string, ServiceView>,
    wanted: Wanted,
    first: (SlotRow & { workshopId?: string }) | null | undefined,
    candidates: SlotRow[],
    dayOf: (s: SlotRow, i: number) => string = (s) => localDayOf(s.startsAt, workshop!.timezone),
  ): Checked {
    if (!workshop || workshop.status !== 'verified') throw notFound('Workshop');
    const services: ServiceView[] = [];
    for (const { serviceId } of wanted) {
      const service = found.get(serviceId);
      if (!service || !service.active || service.workshopId !== workshopId) {
        throw mismatch(wanted.length > 1 ? 'One of the services is not offered by this workshop' : 'That service is not offered by this workshop', { serviceId });
      }
      services.push(service);
    }
    const choices = new Map(wanted.map((w) => [w.serviceId, w.options]));
    const visit = visitTotal(services, (id) => choices.get(id) ?? {});
    if (!visit.ok) throw new DomainError('VALIDATION_FAILED', visit.reason, visit.serviceId ? { serviceId: visit.serviceId } : undefined);
    if (!first || (first.workshopId ?? workshopId) !== workshopId) throw mismatch('That slot does not belong to this workshop');
    if (first.withdrawn) throw new DomainError('SLOT_WITHDRAWN', 'The workshop is closed at that time; pick another');
    if (first.startsAt.getTime() <= deps.clock.now()) throw new DomainError('SLOT_UNAVAILABLE', 'That slot has already started');
    for (const service of services) {
      const chosen = choices.get(service.id)?.urgency;
      const urgency = chosen ? service.options.urgency.find((o) => o.id === chosen) : undefined;
      if (urgency?.todayOnly && dayOf(first, 0) !== localDayOf(new Date(deps.clock.now()), workshop.timezone)) {
        throw new DomainError('VALIDATION_FAILED', `"${urgency.label}" is only for times today; pick a time today or another urgency`);
      }
    }
    return { workshop, services, visit, run: consecutiveRun(services, visit.durationMinutes, first, candidates, dayOf) };
  }

  /** From Postgres, in one query (a slot or service the cache does not know, or a cache that keeps going stale). */
  async function checkedFromPostgres(workshopId: string, wanted: Wanted, slotId: string) {
    const { workshop, services, first, candidates } = await deps.slots.holdContext(workshopId, wanted.map((w) => w.serviceId), slotId);
    return check(workshopId, workshop, new Map(services.map((s) => [s.id, s])), wanted, first, candidates);
  }

  /**
   * From the in-memory catalog; undefined when it does not know the slot or a service (new since it
   * was read, or not this workshop's): Postgres decides those. A refusal is only given once the
   * entry is known to be current (one Redis read, on refusals only); else 'stale'.
   */
  async function checkedFromCache(entry: HoldCatalogEntry, wanted: Wanted, slotId: string): Promise<Checked | 'stale' | undefined> {
    const i = entry.at.get(slotId);
    if (i === undefined) return undefined;
    let minutes = 0;
    for (const w of wanted) {
      const service = entry.services.get(w.serviceId);
      if (!service) return undefined;
      minutes += service.durationMinutes;
    }
    try {
      const run = entry.slots.slice(i, i + runLength(minutes, entry.slots[i]!));
      return check(entry.workshop.id, entry.workshop, entry.services, wanted, entry.slots[i], run, (_, k) => entry.days[i + k]!);
    } catch (err) {
      if (err instanceof DomainError && !(await catalog.current(entry))) return 'stale';
      throw err;
    }
  }

  /** How many slots, from the picked one, cover `minutes` (the visit's total). */
  function runLength(minutes: number, first: SlotRow) {
    return Math.ceil((minutes * 60_000) / (first.endsAt.getTime() - first.startsAt.getTime()));
  }

  /** The consecutive slots on one local day, from the picked one, that cover the visit's total duration. */
  function consecutiveRun(services: ServiceView[], minutes: number, first: SlotRow, candidates: SlotRow[], dayOf: (s: SlotRow, i: number) => string): SlotRow[] {
    const needed = runLength(minutes, first);
    let day: string | undefined;
    const run: SlotRow[] = [];
    for (const [i, s] of candidates.entries()) {
      if (run.length === needed) break;
      const prev = run[run.length - 1];
      if (prev ? s.startsAt.getTime() !== prev.endsAt.getTime() : s.id !== first.id) break;
      const d = dayOf(s, i);
      day ??= d;
      if (d !== day || s.withdrawn) break;
      run.push(s);
    }
    if (run.length < needed) {
      const what = services.length > 1 ? `These ${services.length} services take ${minutes} minutes together` : `${services[0]!.name} takes ${minutes} minutes`;
      throw mismatch(`${what}: ${services.length > 1 ? 'the visit needs' : 'it needs'} ${needed} consecutive slots on the same day from the one you picked`, { neededSlots: needed, durationMinutes: minutes });
    }
    return run;
  }

  /** The customer's own screens hear that the hold is gone (the counts went out with the release). */
  function tellCustomer(r: Released) {
    deps.publisher.holdExpired({ holdId: r.hold.id, workshopId: r.hold.workshopId, customerId: r.hold.customerId });
  }

  async function owned(actor: Principal, holdId: string) {
    const h = await deps.live.findHold(holdId);
    if (!h || h.customerId !== actor.id) throw notFound('Hold');
    return h;
  }

  return {
    async hold(actor: Principal, input: CreateHoldInput): Promise<HoldView> {
      requireCustomer(actor);
      const wanted = requestedServices(input);
      const rate = rules.perMinute ? { points: rules.perMinute, windowMs: 60_000 } : undefined;
      // A hold that names a garage vehicle costs one read, and is refused before Redis if a service does not take it.
      let vehicle: VehicleInput | null = null;
      if (input.vehicleId) {
        if (!deps.vehicleCopy) throw new DomainError('VALIDATION_FAILED', 'Saved vehicles are not available here');
        vehicle = await deps.vehicleCopy(actor.id, input.vehicleId);
      }
      // At most two stale cache entries in a row (catalog edits racing this hold), then Postgres.
      for (let attempt = 0; ; attempt++) {
        let entry: HoldCatalogEntry | null = null;
        let cached: Checked | undefined;
        if (attempt < 2) {
          entry = await catalog.get(input.workshopId);
          if (!entry) throw notFound('Workshop');
          const c = await checkedFromCache(entry, wanted, input.slotId);
          if (c === 'stale') {
            catalog.drop(input.workshopId, entry.version);
            continue;
          }
          cached = c;
        }
        const fromCache = cached !== undefined;
        const { workshop, services, visit, run } = cached ?? (await checkedFromPostgres(input.workshopId, wanted, input.slotId));
        for (const service of vehicle ? services : []) {
          const refusal = vehicleRefusal(service.vehicleConstraints, vehicle!);
          if (refusal) {
            const message = services.length > 1 ? `${service.name}: ${refusal.message}` : refusal.message;
            throw new DomainError('VEHICLE_NOT_SUPPORTED', message, { ...refusal, message, serviceId: service.id });
          }
        }
        const result = await deps.live.hold({
          workshopId: workshop.id,
          serviceId: services[0]!.id,
          customerId: actor.id,
          // Cached rows are never seeds: only their ids go, and absent counters are seeded from Postgres.
          slots: run,
          seeded: !fromCache,
          ...(fromCache ? { version: entry!.version } : {}),
          ttlMs: workshop.holdTtlSeconds * 1000,
          maxActivePerCustomer: rules.maxActivePerCustomer,
          // A retry after STALE is the same attempt: the customer's rate point was taken already.
          ...(rate && attempt === 0 ? { rate } : {}),
          options: visit.items[0]!.options,
          // The price is fixed now: a confirm charges what the customer was quoted when holding (the visit's sum).
          quote: { priceCents: visit.priceCents, currency: visit.currency },
          // A visit of several services records each one (one service: nothing more is stored, as before).
          ...(visit.items.length > 1
            ? { services: visit.items.map((x) => ({ serviceId: x.serviceId, options: x.options, priceCents: x.priceCents, durationMinutes: x.durationMinutes })) }
            : {}),
        });
        if (result.ok) return holdView(result.hold);
        if (result.code === 'STALE') {
          catalog.drop(input.workshopId, entry?.version);
          continue;
        }
        if (result.code === 'HOLD_LIMIT') {
          throw new DomainError('HOLD_LIMIT', `You can hold at most ${rules.maxActivePerCustomer} slots at once; confirm or release one first`);
        }
        if (result.code === 'RATE_LIMITED') {
          const retryAfterSec = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
          throw new DomainError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSec} s`, { retryAfterSec });
        }
        throw new DomainError('SLOT_UNAVAILABLE', 'Someone else just took that slot; pick another', { slotId: result.slotId });
      }
    },

    /**
     * The workshop, service and slots of a hold as this process's catalog has them, with no I/O
     * (null when it lacks any of them). Possibly stale: a confirm built on them asks Postgres to
     * check they still hold (NewBooking.guard).
     */
    known(h: Pick<HoldRecord, 'workshopId' | 'serviceId' | 'slotIds' | 'services'>): KnownRows | null {
      const entry = catalog.peek(h.workshopId);
      if (!entry) return null;
      const services: ServiceView[] = [];
      for (const id of serviceIdsOf(h)) {
        const service = entry.services.get(id);
        if (!service) return null;
        services.push(service);
      }
      const slots: SlotRow[] = [];
      for (const id of h.slotIds) {
        const i = entry.at.get(id);
        if (i === undefined) return null;
        slots.push(entry.slots[i]!);
      }
      return { workshop: entry.workshop, service: services[0]!, services, slots: slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()) };
    },

    /** A schedule or catalog change made here: this process's entry goes at once (others learn from the version). */
    forgetWorkshop: (workshopId: string) => catalog.drop(workshopId),

    async release(actor: Principal, holdId: string) {
      const result = await deps.live.release(holdId, actor.id);
      if (!result.ok) throw notFound('Hold');
    },

    async extend(actor: Principal, holdId: string): Promise<HoldView> {
      const h = await owned(actor, holdId);
      // The TTL from the hold catalog, once a Redis read says the entry is current (no Postgres).
      let entry = await catalog.get(h.workshopId);
      if (entry && !(await catalog.current(entry))) {
        catalog.drop(h.workshopId, entry.version);
        entry = await catalog.get(h.workshopId);
      }
      const ttlMs = (entry?.workshop.holdTtlSeconds ?? 120) * 1000;
      const result = await deps.live.extend(holdId, actor.id, {
        ttlMs,
        maxExtensions: rules.maxExtensions,
        maxLifeMs: ttlMs * rules.maxLifeFactor,
      });
      if (!result.ok) {
        if (result.code === 'HOLD_EXPIRED') throw new DomainError('HOLD_EXPIRED', 'This hold has expired');
        if (result.code === 'HOLD_EXTENSION_LIMIT') throw new DomainError('HOLD_EXTENSION_LIMIT', `A hold can be extended at most ${rules.maxExtensions} times`);
        throw notFound('Hold');
      }
      return holdView(result.hold);
    },

    async mine(actor: Principal): Promise<HoldView[]> {
      return (await deps.live.activeHolds(actor.id)).map(holdView);
    },

    /** Publishes one expiry (the sweeper calls it for each hold it released: exactly once per hold). */
    expired(r: Released) {
      deps.live.expired(r);
      tellCustomer(r);
    },

    /** Releases due holds now (tests and scripts; servers run the store's sweeper loop). */
    async sweep(limit = 100) {
      const released = await deps.live.sweep(limit);
      for (const r of released) tellCustomer(r);
      return released.length;
    },
  };
}

export type Holds = ReturnType<typeof createHolds>;
