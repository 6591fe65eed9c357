import type { BookingStatus } from '@shared/booking-status';

/**
 * Which booking events owe someone a message, and whether a scheduled one is still wanted when
 * its time comes. Pure rules: the booking store writes the messages in the same transaction as
 * the events (the outbox), the mail worker renders and sends them (server/mail/).
 */

export const MAIL_TEMPLATES = [
  'request_new',
  'booking_accepted',
  'booking_declined',
  'booking_expired',
  'booking_cancelled',
  'booking_rescheduled',
  'booking_cancelled_by_workshop',
  'booking_moved_by_workshop',
  'reminder_24h',
  'reminder_2h',
  'accept_escalation',
  'request_expired_admin',
  'review_request',
  /** Repair tracking: a quote for extra work waits for the customer's answer. */
  'quote_waiting',
  /** Repair tracking: the job reached "ready for collection". */
  'job_ready',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** Who a message goes to: the booking's customer, its workshop's owner, or every active admin. */
export type Audience = 'customer' | 'vendor' | 'admins';

/** Non-essential mail a user may turn off (mail_preference); everything else is always sent. */
export type MailCategory = 'reminders' | 'reviews';
export const MAIL_CATEGORY: Partial<Record<MailTemplate, MailCategory>> = {
  reminder_24h: 'reminders',
  reminder_2h: 'reminders',
  review_request: 'reviews',
};

/** How long before the booked start each reminder goes out. */
export const REMINDER_LEAD_MS: Partial<Record<MailTemplate, number>> = {
  reminder_24h: 24 * 3_600_000,
  reminder_2h: 2 * 3_600_000,
};

/** One message a write owes: to whom, which template, for which of the write's events, and when. */
export interface OutboxIntent {
  template: MailTemplate;
  to: Audience;
  /** Index of the event (in the write's events) the message is about: part of its dedupe key. */
  event: number;
  /** Not before this instant (the domain clock's time); absent: at once, or `beforeStartMs`. */
  sendAfter?: Date;
  /** Not before the booking's start minus this (the store knows the start after a move). */
  beforeStartMs?: number;
}

export interface EventFacts {
  type: string;
  data?: Record<string, unknown>;
}

/** The booking as written (after the event): status and, for a request, its accept deadline. */
export interface BookingFacts {
  status: BookingStatus;
  acceptDeadline: Date | null;
}

const reminders = (event: number): OutboxIntent[] =>
  (['reminder_24h', 'reminder_2h'] as const).map((template) => ({ template, to: 'customer', event, beforeStartMs: REMINDER_LEAD_MS[template]! }));

/** The messages one write owes, for its events in order (`now`: the domain clock). */
export function intentsFor(events: EventFacts[], b: BookingFacts, now: Date): OutboxIntent[] {
  const out: OutboxIntent[] = [];
  events.forEach((e, i) => {
    switch (e.type) {
      case 'requested':
        out.push({ template: 'request_new', to: 'vendor', event: i });
        break;
      case 'move_requested':
        // Written on both bookings; the new (pending) one names the booking it would replace.
        if (e.data?.from) out.push({ template: 'request_new', to: 'vendor', event: i });
        break;
      case 'accepted':
        out.push({ template: 'booking_accepted', to: 'customer', event: i }, ...reminders(i));
        break;
      case 'declined':
        out.push({ template: 'booking_declined', to: 'customer', event: i });
        break;
      case 'expired':
        out.push({ template: 'booking_expired', to: 'customer', event: i }, { template: 'request_expired_admin', to: 'admins', event: i });
        break;
      case 'cancelled':
        out.push({ template: 'booking_cancelled', to: 'customer', event: i });
        break;
      case 'rescheduled':
        out.push({ template: 'booking_rescheduled', to: 'customer', event: i });
        if (b.status === 'accepted') out.push(...reminders(i));
        break;
      case 'cancelled_by_workshop':
        out.push({ template: 'booking_cancelled_by_workshop', to: 'customer', event: i });
        break;
      case 'moved_by_workshop':
        out.push({ template: 'booking_moved_by_workshop', to: 'customer', event: i });
        if (b.status === 'accepted') out.push(...reminders(i));
        break;
      case 'completed':
        out.push({ template: 'review_request', to: 'customer', event: i });
        break;
      default:
        break;
    }
  });
  // A request still waiting at half its accept SLA reminds the vendor (escalation); at expiry the admins hear.
  if (b.status === 'pending' && b.acceptDeadline && events.some((e) => e.type === 'requested' || (e.type === 'move_requested' && e.data?.from))) {
    const half = now.getTime() + Math.max(0, b.acceptDeadline.getTime() - now.getTime()) / 2;
    out.push({ template: 'accept_escalation', to: 'vendor', event: events.findIndex((e) => e.type === 'requested' || e.type === 'move_requested'), sendAfter: new Date(half) });
  }
  return out;
}

/** A message's facts at sending time. */
export interface PendingFacts {
  template: MailTemplate;
  /** When it was scheduled for (null: at once). */
  sendAfter: Date | null;
  booking: { status: BookingStatus; startsAt: Date };
}

/**
 * Whether a message is still worth sending now (the booking may have changed since it was
 * written). Essential mail about a change always goes; scheduled mail checks the booking again.
 */
export function stillWanted(m: PendingFacts, now: number): { send: true } | { send: false; why: string } {
  const lead = REMINDER_LEAD_MS[m.template];
  if (lead !== undefined) {
    if (m.booking.status !== 'accepted') return { send: false, why: `booking is ${m.booking.status}` };
    // Moved since: the reminder of the new time is another message.
    if (m.sendAfter && m.sendAfter.getTime() !== m.booking.startsAt.getTime() - lead) return { send: false, why: 'booking moved' };
    // Booked (or delivered) too late for this reminder to mean anything: less than half its lead left.
    if (m.booking.startsAt.getTime() - now < lead / 2) return { send: false, why: 'too close to the start' };
    return { send: true };
  }
  if (m.template === 'accept_escalation' && m.booking.status !== 'pending') return { send: false, why: `booking is ${m.booking.status}` };
  if (m.template === 'review_request' && m.booking.status !== 'completed') return { send: false, why: `booking is ${m.booking.status}` };
  return { send: true };
}
