import { z } from 'zod';
import { checkWindow, windowFields } from './schemas/dates';

/*
 * Availability as every screen sees it, and the socket inputs that ask for it.
 * Shared so the server's payloads and the client's state are one type.
 */

/** One slot as every screen sees it. */
export const slotViewSchema = z.strictObject({
  id: z.uuid(),
  /** ISO 8601 instant. */
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  capacity: z.int(),
  booked: z.int(),
  held: z.int(),
  /** capacity − booked − held, sent ready-made so clients never disagree on the arithmetic. */
  free: z.int(),
});
export type SlotView = z.infer<typeof slotViewSchema>;

/** Counts of a changed slot (events carry only these; times never change). */
export type SlotCounts = Pick<SlotView, 'id' | 'capacity' | 'booked' | 'held' | 'free'>;

/** A workshop's slots at sequence number `seq` of counter generation `epoch`. */
export const availabilitySnapshotSchema = z.strictObject({
  workshopId: z.uuid(),
  seq: z.int(),
  epoch: z.string(),
  slots: z.array(slotViewSchema),
});
export type AvailabilitySnapshot = z.infer<typeof availabilitySnapshotSchema>;

/** Why slot counts changed; lets screens animate or explain a change without diffing. */
export const CHANGE_CAUSES = [
  'held',
  'released',
  'extended',
  'expired',
  'booked',
  'booking_returned',
  'capacity',
  'resync',
  /** Slots were created or removed (hours, closures, slot length): take a fresh snapshot. */
  'schedule',
] as const;
export type ChangeCause = (typeof CHANGE_CAUSES)[number];

const slotCountsSchema = slotViewSchema.pick({ id: true, capacity: true, booked: true, held: true, free: true });

/** One availability change: exactly the workshop's previous seq + 1 within its frame's epoch. */
export const slotChangeSchema = z.strictObject({
  seq: z.int(),
  cause: z.enum(CHANGE_CAUSES),
  slots: z.array(slotCountsSchema),
});
export type SlotChange = z.infer<typeof slotChangeSchema>;

/**
 * The `slots:changed` frame: a workshop's changes made by one server process within one
 * flush (PROTOCOL.md), in ascending seq order, all of one epoch, at least one. Other
 * processes' changes interleave, so seqs in a frame need not be consecutive.
 */
export const slotsChangedEventSchema = z.strictObject({
  workshopId: z.uuid(),
  epoch: z.string(),
  changes: z.array(slotChangeSchema).min(1),
});
export type SlotsChangedEvent = z.infer<typeof slotsChangedEventSchema>;

/** One change with its workshop and epoch: what a frame's entry means on its own (the old single-change event). */
export type WorkshopSlotChange = SlotChange & { workshopId: string; epoch: string };

/** A frame's changes, each with its workshop and epoch, in frame order. */
export const changesOf = (frame: SlotsChangedEvent): WorkshopSlotChange[] =>
  frame.changes.map((c) => ({ workshopId: frame.workshopId, epoch: frame.epoch, ...c }));

/**
 * `workshop:watch` input: which workshop, optionally narrowed to a time window (offsets are
 * accepted because browsers and k6 scripts send local times as often as UTC).
 */
export const watchRequestSchema = z
  .strictObject({ workshopId: z.uuid(), ...windowFields })
  .superRefine(checkWindow);

/** A validated `workshop:watch` request. */
export type WatchRequest = z.infer<typeof watchRequestSchema>;

/** `workshop:unwatch` input. */
export const unwatchRequestSchema = z.strictObject({ workshopId: z.uuid() });

/** A validated `workshop:unwatch` request. */
export type UnwatchRequest = z.infer<typeof unwatchRequestSchema>;
