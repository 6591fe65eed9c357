import { z } from 'zod';
import { instantOut } from './views';

/** `POST /api/bookings/:id/messages`: one message in the booking's thread. */
export const postMessageSchema = z
  .object({ body: z.string().trim().min(1, 'Write a message first').max(2000, 'Keep a message under 2,000 characters') })
  .strict();
export type PostMessageInput = z.input<typeof postMessageSchema>;

/** One message as the booking's customer, its workshop and admins see it. */
export const messageViewSchema = z.strictObject({
  id: z.uuid(),
  bookingId: z.uuid(),
  authorId: z.uuid(),
  authorRole: z.enum(['customer', 'vendor', 'admin']),
  /** The author's name as the other side knows them (the workshop's name for its staff). */
  authorName: z.string(),
  body: z.string(),
  at: instantOut,
});
export type MessageView = z.infer<typeof messageViewSchema>;

/** A booking's thread, oldest first, and how many of its messages the caller has not read. */
export const threadViewSchema = z.strictObject({ messages: z.array(messageViewSchema), unread: z.int() });
export type ThreadView = z.infer<typeof threadViewSchema>;

/** Unread messages from the other side, per booking of the caller. */
export const unreadSummarySchema = z.strictObject({ total: z.int(), byBooking: z.record(z.string(), z.int()) });
export type UnreadSummary = z.infer<typeof unreadSummarySchema>;

/** Socket event `booking:message`: a new message, to the booking's customer and workshop rooms. */
export interface BookingMessageEvent {
  message: MessageView;
}
