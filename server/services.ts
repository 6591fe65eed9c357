import type { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword, verifyPassword, dummyHash } from './auth/password';
import { createUserRepository } from './db/user.repository';
import { createSlotRepository } from './db/slot.repository';
import { createWorkshopRepository } from './db/workshop.repository';
import { createAccounts } from './domain/accounts';
import { createAvailability, type LiveChange, type LiveCounts } from './domain/availability';
import { createCatalog } from './domain/catalog';
import type { Clock } from './domain/clock';
import { createSlotRegeneration } from './domain/slot-regeneration';

export interface ServicesDeps {
  orm: MikroORM;
  clock: Clock;
  live: LiveCounts;
  horizonDays: number;
  /** Told about every live-count change that is not a hold (the realtime publisher listens). */
  onLiveChange?: (change: LiveChange, cause: 'capacity' | 'resync') => void;
}

/** Wires repositories into the domain services; the one place that knows both. */
export function createServices(deps: ServicesDeps) {
  const users = createUserRepository(deps.orm);
  const workshops = createWorkshopRepository(deps.orm);
  const slotStore = createSlotRepository(deps.orm);
  const slots = createSlotRegeneration({
    slots: slotStore,
    clock: deps.clock,
    horizonDays: deps.horizonDays,
    // Capacity edits and removed slots: bring Redis counters back in line with Postgres.
    onChanged: async (workshopId, slotIds) => {
      const rows = await slotStore.byIds(slotIds);
      if (!rows.length) return;
      const change = await deps.live.resync(workshopId, rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })));
      deps.onLiveChange?.(change, 'capacity');
    },
  });
  return {
    accounts: createAccounts({ users, hasher: { hash: hashPassword, verify: verifyPassword, dummyHash } }),
    catalog: createCatalog({ workshops, slots }),
    availability: createAvailability({ slots: slotStore, live: deps.live, clock: deps.clock }),
    slots,
    /** Extends every verified workshop's slots to the rolling horizon (run hourly). */
    async rollHorizon() {
      const list = await workshops.search({ status: 'verified', limit: 100_000 });
      for (const w of list) await slots.regenerate(w.id);
      return list.length;
    },
    stores: { users, workshops, slots: slotStore },
  };
}

export type Services = ReturnType<typeof createServices>;
