import type { ClosureInput, CreateWorkshopInput, OpeningHoursInput, UpdateWorkshopInput, WorkshopStatus } from '@shared/schemas/workshop';
import type { CreateServiceInput, UpdateServiceInput } from '@shared/schemas/service';
import type { VerificationRecordView } from '@shared/schemas/verification';
import type { ClosureView, ServiceView, WorkshopDetailView, WorkshopListItem, WorkshopView } from '@shared/schemas/views';
import type { WeeklyHours, ClosureDay } from './slot-generation';
import type { ExistingSlot, SlotSyncPlan } from './slot-sync-plan';

export interface WorkshopFilter {
  city?: string;
  category?: string;
  q?: string;
  status?: WorkshopStatus;
  ownerId?: string;
  /** Only these workshops (a staff member's own). */
  ids?: string[];
  sort?: 'rating' | 'name' | 'soonest';
  /** The instant 'next free slot' is counted from (the domain clock's now). */
  freeAfter?: Date;
  /** Defaults to 200 (public listings); internal jobs pass a larger one. */
  limit?: number;
}

/** Port: workshops, their hours, closures and services. */
export interface WorkshopStore {
  create(ownerId: string, input: CreateWorkshopInput): Promise<WorkshopView>;
  update(id: string, patch: UpdateWorkshopInput): Promise<WorkshopView>;
  findById(id: string): Promise<WorkshopView | null>;
  detail(id: string): Promise<WorkshopDetailView | null>;
  search(filter: WorkshopFilter): Promise<WorkshopListItem[]>;
  /**
   * With `stamp` (a verify), the verification record gets a row ('verified', or 'reverified' after
   * a lapse) with the registration number and insurance expiry as they are, in the same transaction.
   */
  setStatus(id: string, status: WorkshopStatus, stamp?: VerificationStamp): Promise<WorkshopView>;
  /** The workshop's verification record, newest first. */
  verificationHistory(id: string): Promise<VerificationRecordView[]>;
  /**
   * Verified workshops whose insurance expiry day has passed on their own calendar (at `now`) go
   * back to pending, each with a 'lapsed' row by the system; one guarded UPDATE … RETURNING, so
   * of several processes sweeping at once each workshop lapses once. Returns those lapsed.
   */
  lapseExpiredInsurance(now: Date): Promise<Array<{ id: string; insuranceExpiresOn: string }>>;
  replaceHours(id: string, rows: OpeningHoursInput): Promise<void>;
  /** Null when that date is already closed. */
  addClosure(id: string, input: ClosureInput): Promise<ClosureView | null>;
  removeClosure(id: string, closureId: string): Promise<boolean>;
  createService(workshopId: string, input: CreateServiceInput): Promise<ServiceView>;
  updateService(workshopId: string, serviceId: string, patch: UpdateServiceInput): Promise<ServiceView | null>;
  retireService(workshopId: string, serviceId: string): Promise<boolean>;
  findService(serviceId: string): Promise<ServiceView | null>;
  /** Owner and verification record per workshop (for the admin queue and the checklist views). */
  verificationRecords(ids: string[]): Promise<Map<string, VerificationRecord>>;
  /** Returned to the vendor with a reason (clears any earlier review request). */
  setReturned(id: string, reason: string, at: Date): Promise<void>;
  /** The vendor asks for review again: the return note is cleared. */
  setReviewRequested(id: string, at: Date): Promise<void>;
}

/** Who verified (null: the system) and why, for the verification record. */
export interface VerificationStamp {
  byId: string | null;
  reason: string | null;
  at: Date;
}

export interface VerificationRecord {
  owner: { id: string; name: string; email: string };
  /** The latest row of the append-only verification record. */
  latest: VerificationRecordView | null;
  returned: { reason: string; at: string } | null;
  reviewRequestedAt: string | null;
}

/** Everything slot regeneration reads about one workshop. */
export interface Schedule {
  timezone: string;
  slotMinutes: number;
  bays: number;
  hours: WeeklyHours[];
  closures: ClosureDay[];
}

export interface SlotRow {
  id: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
  /** No longer offered (closed day, shorter hours); kept only for the bookings on it. */
  withdrawn: boolean;
}

export interface HoldContext {
  workshop: WorkshopView | null;
  /** The asked-for services that exist (any workshop's; the caller checks), in no particular order. */
  services: ServiceView[];
  first: (SlotRow & { workshopId: string }) | null;
  candidates: SlotRow[];
}

/** Port: the slot table. */
export interface SlotStore {
  /**
   * Runs `plan` against the workshop's future slots under a per-workshop lock and applies it in
   * one transaction; returns the ids of slots whose capacity changed (withdrawn and reinstated
   * ones included), that were removed, and whether any was withdrawn or reinstated.
   */
  regenerate(
    workshopId: string,
    from: Date,
    plan: (schedule: Schedule, existing: ExistingSlot[]) => SlotSyncPlan,
  ): Promise<{ created: number; updated: string[]; removed: string[]; offerChanged: boolean }>;
  /** The slots on offer (withdrawn ones left out) starting in [from, to), by start; at most `limit` when given. */
  list(workshopId: string, from: Date, to: Date, limit?: number): Promise<SlotRow[]>;
  /** Which of these ids are slots that still exist and end after `after` (the rest are history or gone). */
  liveIds(ids: string[], after: Date): Promise<Set<string>>;
  /**
   * Everything a hold must check, in one round trip: the workshop, the services of the visit, the
   * picked slot and the slots that follow it for the services' total duration (the picked one first).
   */
  holdContext(workshopId: string, serviceIds: string[], slotId: string): Promise<HoldContext>;
  byIds(ids: string[]): Promise<Array<SlotRow & { workshopId: string }>>;
}
