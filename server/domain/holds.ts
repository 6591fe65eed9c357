import type { CreateHoldInput, HoldView } from '@shared/schemas/booking';
import { optionChoiceSchema, priceFor, type OptionChoice } from '@shared/service-options';
import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { Principal } from './actor';
import type { SlotRow, SlotStore, WorkshopStore } from './catalog-ports';
import type { Clock } from './clock';
import type { Publisher } from './booking-ports';
import { DomainError, notFound } from './errors';
import type { HoldRecord, Released } from './hold-ports';
import type { LiveCounts } from './live-counts';
import { localDayOf } from './slot-generation';

export interface HoldRules {
  maxActivePerCustomer: number;
  maxExtensions: number;
  /** Total life of a hold, as a multiple of the workshop's TTL. */
  maxLifeFactor: number;
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
  workshops: WorkshopStore;
  slots: SlotStore;
  clock: Clock;
  publisher: Pick<Publisher, 'holdExpired'>;
  rules?: Partial<HoldRules>;
}) {
  const rules = { ...DEFAULT_HOLD_RULES, ...deps.rules };

  function requireCustomer(actor: Principal) {
    if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customer accounts can hold slots');
  }

  /** The bookable workshop and service, and the run of consecutive slots from `slotId` the service needs. */
  async function slotsFor(workshopId: string, serviceId: string, slotId: string, options: OptionChoice) {
    const { workshop, service, first, candidates } = await deps.slots.holdContext(workshopId, serviceId, slotId);
    if (!workshop || workshop.status !== 'verified') throw notFound('Workshop');
    if (!service || !service.active || service.workshopId !== workshopId) throw mismatch('That service is not offered by this workshop');
    const price = priceFor(service.basePriceCents, service.options, options);
    if (!price.ok) throw new DomainError('VALIDATION_FAILED', price.reason);
    if (!first || first.workshopId !== workshopId) throw mismatch('That slot does not belong to this workshop');
    if (first.withdrawn) throw new DomainError('SLOT_WITHDRAWN', 'The workshop is closed at that time; pick another');
    if (first.startsAt.getTime() <= deps.clock.now()) throw new DomainError('SLOT_UNAVAILABLE', 'That slot has already started');
    return { workshop, service, price: price.priceCents, run: consecutiveRun(workshop, service, first, candidates) };
  }

  /** The consecutive slots on one local day, from the picked one, that cover the service. */
  function consecutiveRun(workshop: WorkshopView, service: ServiceView, first: SlotRow, candidates: SlotRow[]): SlotRow[] {
    const slotMs = first.endsAt.getTime() - first.startsAt.getTime();
    const needed = Math.ceil((service.durationMinutes * 60_000) / slotMs);
    const day = localDayOf(first.startsAt, workshop.timezone);
    const run: SlotRow[] = [];
    for (const s of candidates) {
      if (run.length === needed) break;
      const prev = run[run.length - 1];
      if (prev ? s.startsAt.getTime() !== prev.endsAt.getTime() : s.id !== first.id) break;
      if (localDayOf(s.startsAt, workshop.timezone) !== day || s.withdrawn) break;
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
      const { workshop, service, price, run } = await slotsFor(input.workshopId, input.serviceId, input.slotId, options);
      const result = await deps.live.hold({
        workshopId: workshop.id,
        serviceId: service.id,
        customerId: actor.id,
        slots: run,
        ttlMs: workshop.holdTtlSeconds * 1000,
        maxActivePerCustomer: rules.maxActivePerCustomer,
        options,
        // The price is fixed now: a confirm charges what the customer was quoted when holding.
        quote: { priceCents: price, currency: service.currency },
      });
      if (!result.ok) {
        if (result.code === 'HOLD_LIMIT') {
          throw new DomainError('HOLD_LIMIT', `You can hold at most ${rules.maxActivePerCustomer} slots at once; confirm or release one first`);
        }
        throw new DomainError('SLOT_UNAVAILABLE', 'Someone else just took that slot; pick another', { slotId: result.slotId });
      }
      return holdView(result.hold);
    },

    async release(actor: Principal, holdId: string) {
      const result = await deps.live.release(holdId, actor.id);
      if (!result.ok) throw notFound('Hold');
    },

    async extend(actor: Principal, holdId: string): Promise<HoldView> {
      const h = await owned(actor, holdId);
      const workshop = await deps.workshops.findById(h.workshopId);
      const ttlMs = (workshop?.holdTtlSeconds ?? 120) * 1000;
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
