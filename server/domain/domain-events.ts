import type { Publisher } from './booking-ports';

/**
 * The domain's outbox for things that happened (slot counts changed, a hold expired, a booking
 * moved): services are built with `publisher` and never know who listens; the composition root
 * subscribes the realtime hub (and anything else) once it exists. Delivery is synchronous and in
 * call order, so each subscriber sees a workshop's changes in seq order.
 */
export function createDomainEvents() {
  const subscribers = new Set<Publisher>();
  const publisher: Publisher = {
    slotsChanged: (change, cause) => subscribers.forEach((s) => s.slotsChanged(change, cause)),
    holdExpired: (e) => subscribers.forEach((s) => s.holdExpired(e)),
    bookingChanged: (booking, event) => subscribers.forEach((s) => s.bookingChanged(booking, event)),
    bookingMessage: (e) => subscribers.forEach((s) => s.bookingMessage(e)),
    bookingDispute: (e) => subscribers.forEach((s) => s.bookingDispute(e)),
    jobUpdated: (e) => subscribers.forEach((s) => s.jobUpdated(e)),
    quoteChanged: (e) => subscribers.forEach((s) => s.quoteChanged(e)),
    workshopStatus: (e) => subscribers.forEach((s) => s.workshopStatus(e)),
    accountMailOwed: () => subscribers.forEach((s) => s.accountMailOwed()),
    staffAccess: (e) => subscribers.forEach((s) => s.staffAccess(e)),
  };
  return {
    publisher,
    /** Returns the unsubscribe. */
    subscribe(s: Publisher): () => void {
      subscribers.add(s);
      return () => subscribers.delete(s);
    },
  };
}

export type DomainEvents = ReturnType<typeof createDomainEvents>;
