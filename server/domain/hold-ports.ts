// The live-counts port and its one family of count types (seed → counts → change), owned by the domain.
import type { SlotCounts } from '@shared/availability';
import type { OptionChoice } from '@shared/service-options';

/** Postgres's view of a slot, read just before a script that may need to initialize its counters. */
export type SlotSeed = { slotId: string; capacity: number; booked: number };

/** A slot's live counters, the type every screen gets (`free` = capacity − booked − held, never below 0). */
export type { SlotCounts };

/** One state change of a workshop: its new sequence number and the slots whose counts changed. */
export type Change = {
  workshopId: string;
  seq: number;
  epoch: string;
  slots: SlotCounts[];
  /** performance.now() when the script's reply arrived: where the hold→broadcast delay starts. */
  madeAt?: number;
};

/**
 * A workshop's counters with the matching seq. `repaired`: the changes (each with its own seq) by
 * which this read put drifted slots back in line with Postgres; publish each as a resync.
 */
export type Snapshot = { seq: number; epoch: string; slots: SlotCounts[]; repaired?: Change[] };

export type HoldRecord = {
  id: string;
  workshopId: string;
  customerId: string;
  serviceId: string;
  slotIds: string[];
  expiresAt: number;
  createdAt: number;
  extensions: number;
  /** The customer's choice of skill tier and urgency. */
  options: OptionChoice;
  /** The price quoted when the hold was taken (what confirm charges); absent on holds made before it was stored. */
  quote?: PriceQuote;
  /**
   * A visit of several services: each one in order with its choice and quoted price (the quote is
   * their sum; `serviceId` and `options` are the first's). Absent on a one-service hold.
   */
  services?: HoldService[];
};

/** One service of a multi-service hold. */
export type HoldService = { serviceId: string; options: OptionChoice; priceCents: number; durationMinutes: number };

export type PriceQuote = { priceCents: number; currency: string };

/** A slot a hold takes whose counters Redis is expected to have (the hold script answers NEED_SEED if not). */
export type SlotRef = { slotId: string };

export type HoldInput = {
  workshopId: string;
  serviceId: string;
  customerId: string;
  /**
   * Every slot the service needs; one unit of each is taken, or none. Either all with seeds read
   * from Postgres just now, or all bare ids: counters absent in Redis are then seeded from
   * `loadSeeds` (fresh Postgres rows, never a cache) and the hold is retried once.
   */
  slots: SlotSeed[] | SlotRef[];
  loadSeeds?: (slotIds: string[]) => Promise<SlotSeed[]>;
  /**
   * The workshop's schedule version (`scheduleVersion`) the caller's checks were made against:
   * if it moved since, nothing is taken and the result is STALE. Absent: not checked.
   */
  version?: string;
  ttlMs: number;
  maxActivePerCustomer: number;
  /** The customer's hold attempts per window (RATE_LIMITED beyond); absent: unlimited. */
  rate?: { points: number; windowMs: number };
  options?: OptionChoice;
  quote?: PriceQuote;
  /** A visit of several services (see HoldRecord.services); absent for one service. */
  services?: HoldService[];
};

export type ExtendOptions = { ttlMs: number; maxExtensions: number; maxLifeMs: number };

type Done = { ok: true; hold: HoldRecord; change: Change };

/**
 * `undone`: the customer's checks run beside the workshop's script, so a refused customer may have
 * had the units taken and given back at once: both changes happened and are published in order.
 */
export type HoldResult =
  | Done
  | { ok: false; code: 'SLOT_UNAVAILABLE'; slotId?: string }
  | { ok: false; code: 'HOLD_LIMIT'; undone?: Change[] }
  | { ok: false; code: 'RATE_LIMITED'; retryAfterMs: number; undone?: Change[] }
  | { ok: false; code: 'STALE' };
export type ReleaseResult = Done | { ok: false; code: 'NOT_FOUND' | 'FORBIDDEN' };
export type ExtendResult =
  | Done
  | { ok: false; code: 'NOT_FOUND' | 'FORBIDDEN' | 'HOLD_EXPIRED' | 'HOLD_EXTENSION_LIMIT' };
/** An expired hold is released by consume itself, so its change must be published like a sweep's. */
export type ConsumeResult =
  | Done
  | { ok: false; code: 'NOT_FOUND' | 'FORBIDDEN' }
  | { ok: false; code: 'HOLD_EXPIRED'; hold: HoldRecord; change: Change };

export type Released = { hold: HoldRecord; change: Change };

/**
 * Port: live holds and per-slot counters (held units, the workshop's sequence and epoch), owned by
 * the domain and implemented by server/redis/hold-store.ts. Domain services reach it only through
 * live-counts.ts, which publishes every change it makes.
 */
export interface HoldPort {
  /** Takes one unit of every listed slot atomically, within the customer's active-hold limit. */
  hold(input: HoldInput): Promise<HoldResult>;
  /** Owner only: gives the units back. */
  release(holdId: string, customerId: string): Promise<ReleaseResult>;
  /** New expiresAt = min(now + ttlMs, createdAt + maxLifeMs), at most maxExtensions times. */
  extend(holdId: string, customerId: string, opts: ExtendOptions): Promise<ExtendResult>;
  /** For a confirm: removes the hold and moves its units held → booked. */
  consume(holdId: string, customerId: string): Promise<ConsumeResult>;
  /** A booking was cancelled, declined or expired: booked − 1 per slot. */
  returnBooked(workshopId: string, slotIds: string[]): Promise<Change>;
  /** Overwrites capacity and booked from Postgres; held is kept. */
  resync(workshopId: string, seeds: SlotSeed[]): Promise<Change>;
  /**
   * Like resync, but only drifted slots Redis already counts are written, and seq moves only if one
   * was (one change per script call that wrote; none when all agreed). A slot whose booked count this store moved within the repair
   * grace is left alone (counted in `deferred`): Postgres may not show that move yet.
   */
  repair(workshopId: string, seeds: SlotSeed[]): Promise<{ changes: Change[]; deferred: number }>;
  /** Reads the counters (seeding absent ones, repairing drifted ones from seeds as repair does) with the matching seq and epoch. */
  snapshot(workshopId: string, seeds: SlotSeed[]): Promise<Snapshot>;
  /** Seeds counters that are absent (never overwrites); no seq moves. */
  seedAbsent(workshopId: string, seeds: SlotSeed[]): Promise<void>;
  /** Changes when the workshop's set of slots changed (bumpSchedule) or its counters were lost. */
  scheduleVersion(workshopId: string): Promise<string>;
  bumpSchedule(workshopId: string): Promise<void>;
  /** Drops counters of slots `stillLive` does not return (past or deleted); returns how many. */
  prune(workshopId: string, stillLive: (slotIds: string[]) => Promise<Set<string>>): Promise<number>;
  /** The hold as stored (possibly already due but not yet swept), or null. */
  findHold(holdId: string): Promise<HoldRecord | null>;
  /** The customer's unexpired holds across all workshops. */
  activeHolds(customerId: string): Promise<HoldRecord[]>;
  /** Releases due holds; each hold is released exactly once however many processes sweep. */
  sweep(limit?: number): Promise<Released[]>;
  /** Workshops that have slot counters in Redis (the ones whose counters can drift). */
  workshopsWithCounters(): Promise<string[]>;
  /** Unexpired holds of one workshop. */
  activeHoldCount(workshopId: string): Promise<number>;
}

/** The services a hold is for, in order: the visit's, or its one service. */
export const serviceIdsOf = (h: Pick<HoldRecord, 'serviceId' | 'services'>): string[] => h.services?.map((s) => s.serviceId) ?? [h.serviceId];
