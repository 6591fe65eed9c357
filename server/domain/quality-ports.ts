/** Raw counts of one workshop over the quality window (see quality.ts for what each means). */
export interface QualityCounts {
  workshopId: string;
  completed: number;
  declined: number;
  expired: number;
  cancelledByWorkshop: number;
  accepted: number;
  /** Requests the vendor accepted or declined by hand. */
  responses: number;
  medianResponseMinutes: number | null;
  ratingAvg: number;
  ratingCount: number;
}

/** A workshop the admin's quality queue considers, with what the queue needs besides metrics. */
export interface QualityCandidate extends QualityCounts {
  name: string;
  city: string;
  status: 'pending' | 'verified' | 'suspended';
  ownerId: string;
  timezone: string;
  insuranceExpiresOn: string | null;
  /** Pending because its insurance lapsed (the latest verification row is 'lapsed'). */
  lapsed: boolean;
  /** The latest dismissal still in force at the time asked: until when and what it covered. */
  dismissal: { until: Date; flags: string[] } | null;
}

/** Port: quality metrics, computed in Postgres from booking events and reviews. */
export interface QualityStore {
  /** Counts per workshop for requests made in [since, until); the given workshop only when `workshopId`. */
  counts(since: Date, until: Date, workshopId: string): Promise<QualityCounts | null>;
  /** Verified workshops and workshops pending after an insurance lapse, each with its counts and latest dismissal at `until`. */
  candidates(since: Date, until: Date): Promise<QualityCandidate[]>;
  dismiss(d: { workshopId: string; byId: string; reason: string; flags: string[]; at: Date; until: Date }): Promise<void>;
}
