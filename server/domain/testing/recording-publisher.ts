import type { ChangeCause } from '@shared/availability';
import type { Change } from '../hold-ports';
import type { Publisher } from '../booking-ports';

export type Published =
  | { kind: 'slots'; cause: ChangeCause; change: Change }
  | { kind: 'holdExpired'; holdId: string; workshopId: string; customerId: string }
  | { kind: 'booking'; bookingId: string; status: string; type: string }
  | { kind: 'message'; bookingId: string; messageId: string }
  | { kind: 'dispute'; bookingId: string; status: string; outcome: string | null }
  | { kind: 'workshopStatus'; workshopId: string; status: string }
  | { kind: 'job'; bookingId: string; stage: string }
  | { kind: 'quote'; bookingId: string; quoteId: string; status: string; priceCents: number }
  | { kind: 'staffAccess'; workshopId: string; userId: string; role: string | null };

/** A publisher that keeps everything it is asked to send, in order. */
export function recordingPublisher() {
  const sent: Published[] = [];
  const publisher: Publisher = {
    slotsChanged: (change, cause) => sent.push({ kind: 'slots', cause, change }),
    holdExpired: (e) => sent.push({ kind: 'holdExpired', ...e }),
    bookingChanged: (booking, event) => sent.push({ kind: 'booking', bookingId: booking.id, status: booking.status, type: event.type }),
    workshopStatus: (e) => sent.push({ kind: 'workshopStatus', ...e }),
    accountMailOwed: () => {},
    staffAccess: (e) => sent.push({ kind: 'staffAccess', ...e }),
    bookingMessage: (e) => sent.push({ kind: 'message', bookingId: e.message.bookingId, messageId: e.message.id }),
    bookingDispute: (e) => sent.push({ kind: 'dispute', bookingId: e.dispute.bookingId, status: e.dispute.status, outcome: e.dispute.outcome }),
    jobUpdated: (e) => sent.push({ kind: 'job', bookingId: e.update.bookingId, stage: e.update.stage }),
    quoteChanged: (e) => sent.push({ kind: 'quote', bookingId: e.quote.bookingId, quoteId: e.quote.id, status: e.quote.status, priceCents: e.priceCents }),
  };
  return Object.assign(publisher, {
    sent,
    /** The causes of the slot changes sent, in order. */
    causes: () => sent.flatMap((e) => (e.kind === 'slots' ? [e.cause] : [])),
    clear: () => void sent.splice(0),
  });
}

export type RecordingPublisher = ReturnType<typeof recordingPublisher>;
