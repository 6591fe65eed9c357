/*
 * What the admin live board reads, seen from the domain. Postgres answers for bookings,
 * Redis for holds, presence and the marketplace counters; the implementations live in
 * server/db and server/realtime so several processes can feed one board.
 */

/** One verified workshop's booking figures from the system of record. */
export interface BoardWorkshopFacts {
  workshopId: string;
  name: string;
  city: string;
  pendingRequests: number;
  /** Creation time of the oldest pending request; null when none is pending. */
  oldestPendingAt: Date | null;
  /** Bookings created since midnight in the workshop's own time zone. */
  bookingsToday: number;
}

/** Port: per-workshop booking figures (verified workshops only). */
export interface BoardFacts {
  workshops(now: Date): Promise<BoardWorkshopFacts[]>;
}

/** Port: unexpired holds per workshop. */
export interface BoardHolds {
  activeHolds(workshopIds: string[]): Promise<Map<string, number>>;
}

/** Sockets connected to every live process, summed. */
export interface PresenceTotals {
  sockets: number;
  /** Sockets in the `admin` room: when 0, nobody is looking and the board need not be pushed. */
  admins: number;
  /** Sockets in `workshop:<id>`, by workshop id. */
  watchers: Map<string, number>;
}

/** Port: who is connected, across processes. */
export interface BoardPresence {
  read(): Promise<PresenceTotals>;
}

/** Marketplace counts of one time bucket (all processes together). */
export interface CounterBucket {
  /** Bucket start, ms since epoch. */
  start: number;
  holds: number;
  bookings: number;
  /** Change→emit delays, counted per DELAY_BOUNDS_MS bin (last bin: above the last bound). */
  delayBins: number[];
}

/** Port: time-bucketed marketplace counters. */
export interface BoardCounters {
  /** Buckets overlapping (now − windowMs, now]; missing buckets are simply absent. */
  buckets(now: number, windowMs: number): Promise<CounterBucket[]>;
}
