import { z } from 'zod';
import { instantSchema } from './dates';
import { instantOut } from './views';

/*
 * Live repair tracking (docs/architecture.md, "Repair tracking"): the workshop moves an accepted
 * job through stages with a note and an ETA, and may send a quote for extra work, which the
 * booking's customer approves or declines. An approved quote raises the booking's price.
 */

/** A job's stages, in the order they normally happen. */
export const JOB_STAGES = ['checked_in', 'diagnosing', 'waiting_for_parts', 'in_progress', 'ready_for_collection'] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export const JOB_STAGE_LABELS: Record<JobStage, string> = {
  checked_in: 'Checked in',
  diagnosing: 'Diagnosing',
  waiting_for_parts: 'Waiting for parts',
  in_progress: 'In progress',
  ready_for_collection: 'Ready for collection',
};

/**
 * Whether a job may move from `from` (null: no stage yet) to `to`. Forward only; the same stage
 * again is an update (a new note or ETA); the one step back is in progress → waiting for parts
 * (a part turns out to be missing mid-job). Nothing follows ready for collection but updates of it.
 * Shared so the desk offers exactly the buttons the server accepts.
 */
export function stageMoveAllowed(from: JobStage | null, to: JobStage): boolean {
  if (from === null || from === to) return true;
  if (from === 'in_progress' && to === 'waiting_for_parts') return true;
  return JOB_STAGES.indexOf(to) > JOB_STAGES.indexOf(from);
}

/** Longest note on a stage update or a quote. */
export const JOB_NOTE_MAX = 1000;
/** Most lines one quote may have. */
export const QUOTE_ITEMS_MAX = 20;
/** Largest price of one quote line, in minor units (100,000.00). */
export const QUOTE_ITEM_PRICE_MAX = 10_000_000;

const note = z.string().trim().max(JOB_NOTE_MAX, `Keep a note under ${JOB_NOTE_MAX.toLocaleString('en')} characters`);

/** `POST /api/bookings/:id/stage`: the job's new stage (or an update of the current one). */
export const stageUpdateSchema = z.strictObject({
  stage: z.enum(JOB_STAGES),
  note: note.optional(),
  /** When the workshop expects the job (or this stage) to be done; must be in the future. */
  eta: instantSchema.optional(),
});
export type StageUpdateInput = z.input<typeof stageUpdateSchema>;

export const quoteItemSchema = z.strictObject({
  description: z.string().trim().min(1, 'Describe the work').max(200, 'Keep a line under 200 characters'),
  priceMinor: z.int().min(1, 'A line costs at least 0.01').max(QUOTE_ITEM_PRICE_MAX),
});
export type QuoteItem = z.infer<typeof quoteItemSchema>;

/** `POST /api/bookings/:id/quotes`: extra work for the customer to approve (in the booking's currency). */
export const createQuoteSchema = z.strictObject({
  items: z.array(quoteItemSchema).min(1, 'Add at least one line').max(QUOTE_ITEMS_MAX, `At most ${QUOTE_ITEMS_MAX} lines`),
  note: note.optional(),
});
export type CreateQuoteInput = z.input<typeof createQuoteSchema>;

export const QUOTE_STATES = ['pending', 'approved', 'declined', 'withdrawn'] as const;
export type QuoteState = (typeof QUOTE_STATES)[number];

export const quoteParam = z.object({ id: z.uuid({ message: 'Not a valid id' }), quoteId: z.uuid({ message: 'Not a valid id' }) });

/** One stage update as the booking's customer, its workshop and admins see it. */
export const stageUpdateViewSchema = z.strictObject({
  id: z.uuid(),
  bookingId: z.uuid(),
  stage: z.enum(JOB_STAGES),
  note: z.string().nullable(),
  eta: instantOut.nullable(),
  byRole: z.string(),
  at: instantOut,
});
export type StageUpdateView = z.infer<typeof stageUpdateViewSchema>;

export const quoteViewSchema = z.strictObject({
  id: z.uuid(),
  bookingId: z.uuid(),
  status: z.enum(QUOTE_STATES),
  items: z.array(quoteItemSchema),
  totalMinor: z.int(),
  currency: z.string(),
  note: z.string().nullable(),
  createdAt: instantOut,
  /** When it was approved, declined or withdrawn; null while pending. */
  decidedAt: instantOut.nullable(),
  decidedByRole: z.string().nullable(),
});
export type QuoteView = z.infer<typeof quoteViewSchema>;

/**
 * `GET /api/bookings/:id/job`: the job's stages (oldest first), its quotes (newest first) and its
 * price: `priceCents` = `basePriceCents` + `extrasMinor` (the approved quotes). Extra work is paid
 * at the workshop: the card (if any) is never charged more than it authorized at confirm.
 */
export const jobTimelineSchema = z.strictObject({
  bookingId: z.uuid(),
  stage: z.enum(JOB_STAGES).nullable(),
  eta: instantOut.nullable(),
  updates: z.array(stageUpdateViewSchema),
  quotes: z.array(quoteViewSchema),
  priceCents: z.int(),
  basePriceCents: z.int(),
  extrasMinor: z.int(),
  currency: z.string(),
});
export type JobTimeline = z.infer<typeof jobTimelineSchema>;

/** Socket event `job:updated`: a stage update, to the booking's customer and workshop rooms. */
export interface JobUpdatedEvent {
  bookingId: string;
  workshopId: string;
  update: StageUpdateView;
}

/** Socket event `quote:changed`: a quote sent, approved, declined or withdrawn, with the booking's price after it. */
export interface QuoteChangedEvent {
  bookingId: string;
  workshopId: string;
  quote: QuoteView;
  priceCents: number;
}
