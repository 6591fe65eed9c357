import type { MatchWeights, MatchWeightsView } from '@shared/schemas/match';
import type { ServiceOptions } from '@shared/service-options';
import type { VehicleConstraints } from '@shared/schemas/vehicle';

/** What the store narrows candidates by: validated and normalised by the engine. */
export interface CandidateFilter {
  /** Words that must all match the service's name or category (the last also as a prefix); empty: none. */
  terms: string[];
  category?: string;
  point: { lat: number; lng: number; radiusM: number };
  /** Only workshops with a slot starting in [from, to) that Postgres does not count as fully booked (live holds are checked after). */
  from: Date;
  to: Date;
  /** Services whose base price could fit: base × the lowest skill-tier multiplier (0.5) ≤ this. */
  maxBaseCents?: number;
  /** Nearest first (then workshop id, service id), at most this many pairs. */
  limit: number;
}

/** One (workshop, service) pair that may answer the need. */
export interface MatchCandidate {
  workshopId: string;
  workshopName: string;
  city: string;
  timezone: string;
  ratingAvg: number;
  ratingCount: number;
  autoAccept: boolean;
  distanceM: number;
  serviceId: string;
  serviceName: string;
  category: string;
  durationMinutes: number;
  basePriceCents: number;
  currency: string;
  options: ServiceOptions;
  vehicleConstraints: VehicleConstraints | null;
}

/** A workshop's track record (the last 180 days). */
export interface WorkshopRecord {
  completionRate: number | null;
  responseMinutes: number | null;
}

/** A slot's times and Postgres's counts (the seed of its live counters). */
export interface MatchSlotRow {
  id: string;
  startMs: number;
  endMs: number;
  capacity: number;
  booked: number;
}

/** Port: candidate retrieval, slot times, track records, and the operators' weights. */
export interface MatchStore {
  candidates(filter: CandidateFilter): Promise<MatchCandidate[]>;
  /** The slots on offer (withdrawn ones left out) of these workshops starting in [from, to), each workshop's in start order: one query. */
  slots(workshopIds: string[], from: Date, to: Date): Promise<Map<string, MatchSlotRow[]>>;
  records(workshopIds: string[], since: Date): Promise<Map<string, WorkshopRecord>>;
  weights(): Promise<MatchWeightsView>;
  saveWeights(weights: MatchWeights, by: string): Promise<MatchWeightsView>;
}
