import type { MessageView, ThreadView, UnreadSummary } from '@shared/schemas/message';
import type { Principal } from './actor';
import type { BookingStore } from './booking-ports';
import { canSee, requireStaffPermission } from './bookings';
import type { Clock } from './clock';
import { forbidden, notFound } from './errors';
import type { MessagePublisher, MessageStore } from './message-ports';

/** The newest messages a thread shows. */
export const THREAD_LIMIT = 500;

/**
 * One thread per booking between its customer and its workshop. Both sides write; admins read
 * (to settle disputes) but do not write. Reading a thread marks it read for the reader.
 */
export function createMessages(deps: { bookings: Pick<BookingStore, 'findById'>; messages: MessageStore; publisher: MessagePublisher; clock: Clock }) {
  const { bookings, messages, publisher, clock } = deps;

  async function visible(actor: Principal, bookingId: string) {
    const b = await bookings.findById(bookingId);
    if (!b || !canSee(actor, b)) throw notFound('Booking');
    return b;
  }

  return {
    async thread(actor: Principal, bookingId: string): Promise<ThreadView> {
      await visible(actor, bookingId);
      const [list, unread] = await Promise.all([messages.thread(bookingId, THREAD_LIMIT), messages.unreadIn(bookingId, actor.id)]);
      return { messages: list, unread };
    },

    async post(actor: Principal, bookingId: string, body: string): Promise<MessageView> {
      const b = await visible(actor, bookingId);
      if (actor.role === 'admin') throw forbidden('Admins read booking threads but do not write in them');
      requireStaffPermission(actor, b, 'messages.write');
      const at = new Date(clock.now());
      const message = await messages.add({ bookingId, authorId: actor.id, authorRole: actor.role, body, at });
      // Writing is reading: your own thread is read up to your message.
      await messages.markRead(bookingId, actor.id, at);
      publisher.bookingMessage({ message, customerId: b.customerId, workshopId: b.workshopId });
      return message;
    },

    async markRead(actor: Principal, bookingId: string): Promise<void> {
      await visible(actor, bookingId);
      await messages.markRead(bookingId, actor.id, new Date(clock.now()));
    },

    /** Admins take part in no thread: nothing is unread for them. */
    unread: (actor: Principal): Promise<UnreadSummary> =>
      actor.role === 'admin' ? Promise.resolve({ total: 0, byBooking: {} }) : messages.unreadFor(actor.id, actor.role),
  };
}

export type Messages = ReturnType<typeof createMessages>;
