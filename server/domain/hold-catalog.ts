import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { SlotRow } from './catalog-ports';
import type { SlotSeed } from './hold-ports';
import { localDayOf } from './slot-generation';

/** What a hold checks about one workshop, as Postgres had it when `version` was current. */
export type HoldCatalogRows = { workshop: WorkshopView | null; services: ServiceView[]; slots: SlotRow[] };

export type HoldCatalogEntry = {
  /** The workshop's `scheduleVersion`, read before the rows: the hold script refuses (STALE) once it moved. */
  version: string;
  workshop: WorkshopView;
  services: Map<string, ServiceView>;
  /** By start time, withdrawn ones included (they break a run of consecutive slots). */
  slots: SlotRow[];
  /** Slot id → its index in `slots`. */
  at: Map<string, number>;
  /** Each slot's local day in the workshop's time zone, by index (computed once: Intl formatting is not free). */
  days: string[];
};

/** Port: the rows above for one workshop, slots ending after `from` (server/db/slot.repository.ts). */
export type HoldCatalogSource = (workshopId: string, from: Date) => Promise<HoldCatalogRows>;

/** Slots in the cache reach back this far: a hold on an older one is refused anyway (it started). */
const BACK_MS = 86_400_000;
const SEED_AHEAD_MS = 14 * 86_400_000;

/**
 * Workshops, services and slots as a hold needs them, kept in process memory so a hold costs no
 * Postgres round trip. Multi-process safe without messages: each entry carries the workshop's
 * schedule version (a Redis counter every schedule and catalog change bumps), the hold script
 * compares it, and a STALE answer drops the entry. Counters are never seeded from here unless the
 * rows were just read (load), so booked counts never come from stale memory.
 */
export function createHoldCatalog(deps: {
  source: HoldCatalogSource;
  version: (workshopId: string) => Promise<string>;
  /** Seeds absent counters from the rows just read (as a snapshot read does). */
  seed: (workshopId: string, seeds: SlotSeed[]) => Promise<void>;
  now: () => number;
  maxWorkshops?: number;
}) {
  const max = deps.maxWorkshops ?? 500;
  const entries = new Map<string, HoldCatalogEntry | null>();
  const loading = new Map<string, Promise<HoldCatalogEntry | null>>();

  async function load(workshopId: string): Promise<HoldCatalogEntry | null> {
    // The version first: a change committed after the rows were read bumps it past this one.
    const version = await deps.version(workshopId);
    const rows = await deps.source(workshopId, new Date(deps.now() - BACK_MS));
    if (!rows.workshop) return null;
    const slots = rows.slots;
    // Counters for the next fortnight only (what customers look at and hold); later ones are
    // seeded when first held or viewed, so Redis does not keep counters for a whole horizon.
    const until = deps.now() + SEED_AHEAD_MS;
    await deps.seed(workshopId, slots.filter((s) => !s.withdrawn && s.startsAt.getTime() < until).map((s) => ({ slotId: s.id, capacity: s.capacity, booked: s.booked })));
    return {
      version,
      workshop: rows.workshop,
      services: new Map(rows.services.map((s) => [s.id, s])),
      slots,
      at: new Map(slots.map((s, i) => [s.id, i])),
      days: slots.map((s) => localDayOf(s.startsAt, rows.workshop!.timezone)),
    };
  }

  return {
    /** The workshop's entry (loaded on a miss; concurrent misses share one load); null: no such workshop. */
    async get(workshopId: string): Promise<HoldCatalogEntry | null> {
      const hit = entries.get(workshopId);
      if (hit !== undefined) {
        // Most recently used last: the first key is the one to evict.
        entries.delete(workshopId);
        entries.set(workshopId, hit);
        return hit;
      }
      let p = loading.get(workshopId);
      if (!p) {
        p = load(workshopId).finally(() => loading.delete(workshopId));
        loading.set(workshopId, p);
        const entry = await p;
        // A workshop that does not exist is not remembered: it may be created any moment.
        if (entry) {
          if (entries.size >= max) entries.delete(entries.keys().next().value!);
          entries.set(workshopId, entry);
        }
        return entry;
      }
      return p;
    },
    /** The entry this process has now, without loading one (null on a miss). */
    peek: (workshopId: string): HoldCatalogEntry | null => entries.get(workshopId) ?? null,
    /** Forgets the entry if it is still the one at `version` (a STALE answer, or a change seen here). */
    drop(workshopId: string, version?: string) {
      const e = entries.get(workshopId);
      if (e !== undefined && (version === undefined || e?.version === version)) entries.delete(workshopId);
    },
    /** True when the entry is still current (checked before refusing a hold on its word). */
    async current(entry: HoldCatalogEntry): Promise<boolean> {
      return (await deps.version(entry.workshop.id)) === entry.version;
    },
  };
}

export type HoldCatalog = ReturnType<typeof createHoldCatalog>;
