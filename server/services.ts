import type { MikroORM } from '@mikro-orm/postgresql';
import { dummyHash, hashPassword, verifyPassword } from './auth/password';
import { createBookingRepository } from './db/booking.repository';
import { createReviewRepository } from './db/review.repository';
import { createSlotRepository } from './db/slot.repository';
import { createUserRepository } from './db/user.repository';
import { createWorkshopRepository } from './db/workshop.repository';
import { createAccounts } from './domain/accounts';
import { createAvailability } from './domain/availability';
import { silentPublisher, type Publisher } from './domain/booking-ports';
import { createBookingTransitions } from './domain/booking-transitions';
import { createBookings } from './domain/bookings';
import { createCatalog } from './domain/catalog';
import type { Clock } from './domain/clock';
import type { HoldPort } from './domain/hold-ports';
import { createHolds, type HoldRules } from './domain/holds';
import { createReviews } from './domain/reviews';
import type { FaultHook } from './domain/hold-commit';
import { createSlotReconciler, touchingPublisher } from './domain/slot-reconcile';
import { createSlotRegeneration } from './domain/slot-regeneration';
import { chunked, SNAPSHOT_CHUNK } from './redis/slot-counters';

export interface ServicesDeps {
  orm: MikroORM;
  clock: Clock;
  holds: HoldPort;
  horizonDays: number;
  /** Most slots one workshop may have over the horizon (and the most one snapshot carries). */
  maxSlotsPerWorkshop: number;
  holdRules?: Partial<HoldRules>;
  /** Open bookings one customer may have (MAX_OPEN_BOOKINGS); unlimited when absent. */
  maxOpenBookings?: number;
  /** Where every change is published (the realtime hub); silent by default. */
  publisher?: Publisher;
  /** Test-only fault hook at named confirm/reschedule steps (never set in production). */
  faults?: FaultHook;
}

/** Wires repositories into the domain services; the one place that knows both. */
export function createServices(deps: ServicesDeps) {
  const outer = deps.publisher ?? silentPublisher;
  const users = createUserRepository(deps.orm);
  const workshops = createWorkshopRepository(deps.orm);
  const slotStore = createSlotRepository(deps.orm);
  const bookingStore = createBookingRepository(deps.orm);
  const reviewStore = createReviewRepository(deps.orm);
  const reconciler = createSlotReconciler({ slots: slotStore, holds: deps.holds, publisher: outer, clock: deps.clock, horizonDays: deps.horizonDays });
  // Every slot change marks its workshop for the periodic reconcile.
  const publisher = touchingPublisher(outer, reconciler.touch);
  const slots = createSlotRegeneration({
    slots: slotStore,
    clock: deps.clock,
    horizonDays: deps.horizonDays,
    maxSlots: deps.maxSlotsPerWorkshop,
    // Capacity edits: Redis counters follow Postgres. Slots created or removed (hours, closures,
    // slot length, the horizon rolling on): cause 'schedule' tells watchers to take a new snapshot.
    onChanged: async (workshopId, { updated, reshaped }) => {
      const rows = updated.length ? await slotStore.byIds(updated) : [];
      if (!rows.length && !reshaped) return;
      // Before any event goes out: a snapshot taken after it must not reuse a cached slot list.
      await deps.holds.bumpSchedule(workshopId);
      // In chunks, so no one script call blocks Redis for long; each is its own change, published
      // in order. 'schedule' goes last, so the re-snapshot it asks for sees every chunk.
      const parts = chunked(rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })), SNAPSHOT_CHUNK);
      if (!parts.length) parts.push([]);
      for (const [i, part] of parts.entries()) {
        const change = await deps.holds.resync(workshopId, part);
        publisher.slotsChanged(change, reshaped && i === parts.length - 1 ? 'schedule' : 'capacity');
      }
    },
    prune: async (workshopId, now) => {
      await deps.holds.prune(workshopId, (ids) => slotStore.liveIds(ids, now));
    },
  });
  const core = { holds: deps.holds, workshops, slots: slotStore, clock: deps.clock, publisher };
  const catalog = createCatalog({ workshops, slots, clock: deps.clock, bounds: { horizonDays: deps.horizonDays, maxSlots: deps.maxSlotsPerWorkshop } });
  return {
    accounts: createAccounts({ users, hasher: { hash: hashPassword, verify: verifyPassword, dummyHash } }),
    catalog,
    availability: createAvailability({ slots: slotStore, live: deps.holds, clock: deps.clock, options: { maxSlots: deps.maxSlotsPerWorkshop }, publisher }),
    holds: createHolds({ ...core, rules: deps.holdRules }),
    bookings: createBookings({ ...core, bookings: bookingStore, maxOpenPerCustomer: deps.maxOpenBookings, faults: deps.faults }),
    reviews: createReviews({ bookings: bookingStore, reviews: reviewStore, visibleWorkshop: catalog.visible }),
    transitions: createBookingTransitions({ bookings: bookingStore, slots: slotStore, holds: deps.holds, clock: deps.clock, publisher, faults: deps.faults }),
    reconciler,
    slots,
    /** Extends every verified workshop's slots to the rolling horizon (run hourly). */
    async rollHorizon() {
      const list = await workshops.search({ status: 'verified', limit: 100_000 });
      for (const w of list) await slots.regenerate(w.id, { prune: true });
      return list.length;
    },
    stores: { users, workshops, slots: slotStore, bookings: bookingStore, reviews: reviewStore },
  };
}

export type Services = ReturnType<typeof createServices>;
