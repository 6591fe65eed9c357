import type { MessageView, UnreadSummary } from '@shared/schemas/message';

/** Port: booking message threads and how far each participant has read them. */
export interface MessageStore {
  add(m: { bookingId: string; authorId: string; authorRole: MessageView['authorRole']; body: string; at: Date }): Promise<MessageView>;
  /** The thread, oldest first (at most `limit`, the newest ones). */
  thread(bookingId: string, limit: number): Promise<MessageView[]>;
  /** Messages in this booking not written by `userId` and newer than their read mark. */
  unreadIn(bookingId: string, userId: string): Promise<number>;
  markRead(bookingId: string, userId: string, at: Date): Promise<void>;
  /** Unread counts over the bookings `userId` takes part in (as customer or workshop owner). */
  unreadFor(userId: string, role: 'customer' | 'vendor'): Promise<UnreadSummary>;
}

/** Port: where a new message is announced (the realtime hub sends it to both sides). */
export interface MessagePublisher {
  bookingMessage(e: { message: MessageView; customerId: string; workshopId: string }): void;
}
