import type { CreateHoldInput, HoldView } from '@shared/schemas/booking';
import type { VehicleInput } from './booking-ports';
import { vehicleRefusal } from './vehicle-constraints';
import { optionChoiceSchema, priceFor, type OptionChoice } from '@shared/service-options';
import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { Principal } from './actor';
import type { SlotRow, SlotStore } from './catalog-ports';
import type { Clock } from './clock';
import type { KnownRows, Publisher } from './booking-ports';
import { DomainError, notFound } from './errors';
import { createHoldCatalog, type HoldCatalogEntry, type HoldCatalogSource } from './hold-catalog';
import type { HoldRecord, Released } from './hold-ports';
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
  return {
    id: h.id,
    workshopId: h.workshopId,
    serviceId: h.serviceId,
    slotIds: h.slotIds,
    expiresAt: new Date(h.expiresAt).toISOString(),
    extensions: h.extensions,
    options: h.options ?? {},
  };
}

const mismatch = (message: string) => new DomainError('SLOT_SERVICE_MISMATCH', message);

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

  type Checked = { workshop: WorkshopView; service: ServiceView; price: number; run: SlotRow[] };

  /** Every refusal a hold can meet before Redis: the bookable workshop and service, the price, the run of slots. */
  function check(
    workshopId: string,
    workshop: WorkshopView | null,
    service: ServiceView | null | undefined,
    first: (SlotRow & { workshopId?: string }) | null | undefined,
    candidates: SlotRow[],
    options: OptionChoice,
    dayOf: (s: SlotRow, i: number) => string = (s) => localDayOf(s.startsAt, workshop!.timezone),
  ): Checked {
    if (!workshop || workshop.status !== 'verified') throw notFound('Workshop');
    if (!service || !service.active || service.workshopId !== workshopId) throw mismatch('That service is not offered by this workshop');
    const price = priceFor(service.basePriceCents, service.options, options);
    if (!price.ok) throw new DomainError('VALIDATION_FAILED', price.reason);
    if (!first || (first.workshopId ?? workshopId) !== workshopId) throw mismatch('That slot does not belong to this workshop');
    if (first.withdrawn) throw new DomainError('SLOT_WITHDRAWN', 'The workshop is closed at that time; pick another');
    if (first.startsAt.getTime() <= deps.clock.now()) throw new DomainError('SLOT_UNAVAILABLE', 'That slot has already started');
    const urgency = options.urgency ? service.options.urgency.find((o) => o.id === options.urgency) : undefined;
    if (urgency?.todayOnly && dayOf(first, 0) !== localDayOf(new Date(deps.clock.now()), workshop.timezone)) {
      throw new DomainError('VALIDATION_FAILED', `"${urgency.label}" is only for times today; pick a time today or another urgency`);
    }
    return { workshop, service, price: price.priceCents, run: consecutiveRun(service, first, candidates, dayOf) };
  }

  /** From Postgres, in one query (a slot or service the cache does not know, or a cache that keeps going stale). */
  async function checkedFromPostgres(workshopId: string, serviceId: string, slotId: string, options: OptionChoice) {
    const { workshop, service, first, candidates } = await deps.slots.holdContext(workshopId, serviceId, slotId);
    return check(workshopId, workshop, service, first, candidates, options);
  }

  /**
   * From the in-memory catalog; undefined when it does not know the slot or service (new since it
   * was read, or not this workshop's): Postgres decides those. A refusal is only given once the
   * entry is known to be current (one Redis read, on refusals only); else 'stale'.
   */
  async function checkedFromCache(entry: HoldCatalogEntry, serviceId: string, slotId: string, options: OptionChoice): Promise<Checked | 'stale' | undefined> {
    const i = entry.at.get(slotId);
    const service = entry.services.get(serviceId);
    if (i === undefined || !service) return undefined;
    try {
      const run = entry.slots.slice(i, i + runLength(service, entry.slots[i]!));
      return check(entry.workshop.id, entry.workshop, service, entry.slots[i], run, options, (_, k) => entry.days[i + k]!);
    } catch (err) {
      if (err instanceof DomainError && !(await catalog.current(entry))) return 'stale';
      throw err;
    }
  }

  /** The consecutive slots on one local day, from the picked one, that cover the service. */
  function runLength(service: ServiceView, first: SlotRow) {
    return Math.ceil((service.durationMinutes * 60_000) / (first.endsAt.getTime() - first.startsAt.getTime()));
  }

  function consecutiveRun(service: ServiceView, first: SlotRow, candidates: SlotRow[], dayOf: (s: SlotRow, i: number) => string): SlotRow[] {
    const needed = runLength(service, first);
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
      throw mismatch(`${service.name} takes ${service.durationMinutes} minutes: it needs ${needed} consecutive slots on the same day from the one you picked`);
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
      const options = optionChoiceSchema.parse(input.options ?? {});
      const rate = rules.perMinute ? { points: rules.perMinute, windowMs: 60_000 } : undefined;
      // A hold that names a garage vehicle costs one read, and is refused before Redis if the service does not take it.
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
          const c = await checkedFromCache(entry, input.serviceId, input.slotId, options);
          if (c === 'stale') {
            catalog.drop(input.workshopId, entry.version);
            continue;
          }
          cached = c;
        }
        const fromCache = cached !== undefined;
        const { workshop, service, price, run } = cached ?? (await checkedFromPostgres(input.workshopId, input.serviceId, input.slotId, options));
        const refusal = vehicle ? vehicleRefusal(service.vehicleConstraints, vehicle) : null;
        if (refusal) throw new DomainError('VEHICLE_NOT_SUPPORTED', refusal.message, refusal);
        const result = await deps.live.hold({
          workshopId: workshop.id,
          serviceId: service.id,
          customerId: actor.id,
          // Cached rows are never seeds: only their ids go, and absent counters are seeded from Postgres.
          slots: run,
          seeded: !fromCache,
          ...(fromCache ? { version: entry!.version } : {}),
          ttlMs: workshop.holdTtlSeconds * 1000,
          maxActivePerCustomer: rules.maxActivePerCustomer,
          // A retry after STALE is the same attempt: the customer's rate point was taken already.
          ...(rate && attempt === 0 ? { rate } : {}),
          options,
          // The price is fixed now: a confirm charges what the customer was quoted when holding.
          quote: { priceCents: price, currency: service.currency },
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
    known(h: Pick<HoldRecord, 'workshopId' | 'serviceId' | 'slotIds'>): KnownRows | null {
      const entry = catalog.peek(h.workshopId);
      const service = entry?.services.get(h.serviceId);
      if (!entry || !service) return null;
      const slots: SlotRow[] = [];
      for (const id of h.slotIds) {
        const i = entry.at.get(id);
        if (i === undefined) return null;
        slots.push(entry.slots[i]!);
      }
      return { workshop: entry.workshop, service, slots: slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()) };
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
