import type { DisputeOutcome, DisputeReason, DisputeStatus, DisputeView } from '@shared/schemas/dispute';

/** A dispute with what authorization and the resolution need. */
export interface DisputeRecord extends DisputeView {
  customerId: string;
  /** The admin's decision once taken (outcome and amount are fixed from then on). */
  decided: { outcome: DisputeOutcome; amount: number | null } | null;
}

export interface NewDispute {
  bookingId: string;
  customerId: string;
  reason: DisputeReason;
  text: string;
  currency: string;
  at: Date;
}

/** Port: disputes in Postgres; opening and resolving also write the booking's event in the same transaction. */
export interface DisputeStore {
  /** Inserts the dispute and a `dispute_opened` booking event; null when the booking already has a dispute. */
  open(d: NewDispute): Promise<DisputeRecord | null>;
  byId(id: string): Promise<DisputeRecord | null>;
  forBooking(bookingId: string): Promise<DisputeRecord | null>;
  /** Records the decision unless one is recorded; returns the dispute as it now stands. */
  decide(id: string, d: { outcome: DisputeOutcome; amount: number | null; by: string; at: Date }): Promise<DisputeRecord>;
  /** Marks an open dispute resolved and writes a `dispute_resolved` booking event; null when it was not open. */
  resolve(id: string, r: { refunded: number; note: string | null; at: Date; actorId: string }): Promise<DisputeRecord | null>;
  /** Oldest first. */
  queue(status: DisputeStatus | undefined, limit: number): Promise<DisputeRecord[]>;
  /** True while the booking has an open dispute (the escrow release waits). */
  hasOpen(bookingId: string): Promise<boolean>;
}

/** Port: where a dispute's change is announced (the realtime hub sends it to both sides and the admins). */
export interface DisputePublisher {
  bookingDispute(e: { dispute: DisputeView; customerId: string; workshopId: string }): void;
}
