import { describe, expect, it } from 'vitest';
import { intentsFor, stillWanted } from './notifications';

const NOW = new Date(Date.UTC(2027, 2, 28, 9, 0));
const H = 3_600_000;

describe('which events owe which messages', () => {
  it('a request: the vendor now, and an escalation at half the accept SLA', () => {
    const deadline = new Date(NOW.getTime() + H);
    expect(intentsFor([{ type: 'requested' }], { status: 'pending', acceptDeadline: deadline }, NOW)).toEqual([
      { template: 'request_new', to: 'vendor', event: 0 },
      { template: 'accept_escalation', to: 'vendor', event: 0, sendAfter: new Date(NOW.getTime() + H / 2) },
    ]);
  });

  it('auto-accepted: the vendor hears of it, the customer gets the confirmation and both reminders; no escalation', () => {
    const out = intentsFor([{ type: 'requested' }, { type: 'accepted' }], { status: 'accepted', acceptDeadline: null }, NOW);
    expect(out.map((i) => [i.template, i.to, i.event, i.beforeStartMs ?? null])).toEqual([
      ['request_new', 'vendor', 0, null],
      ['booking_accepted', 'customer', 1, null],
      ['reminder_24h', 'customer', 1, 24 * H],
      ['reminder_2h', 'customer', 1, 2 * H],
    ]);
  });

  it('expiry goes to the customer and the admins; a move request only from the new booking; started and moved owe nothing', () => {
    expect(intentsFor([{ type: 'expired' }], { status: 'expired', acceptDeadline: null }, NOW).map((i) => `${i.template}→${i.to}`)).toEqual(['booking_expired→customer', 'request_expired_admin→admins']);
    expect(intentsFor([{ type: 'move_requested', data: { to: 'x' } }], { status: 'accepted', acceptDeadline: null }, NOW)).toEqual([]);
    expect(intentsFor([{ type: 'move_requested', data: { from: 'x' } }], { status: 'pending', acceptDeadline: new Date(NOW.getTime() + H) }, NOW).map((i) => i.template)).toEqual(['request_new', 'accept_escalation']);
    expect(intentsFor([{ type: 'started' }, { type: 'moved' }, { type: 'no_show_response' }], { status: 'in_progress', acceptDeadline: null }, NOW)).toEqual([]);
  });

  it('the workshop\'s cancel and move tell the customer (a move re-schedules an accepted booking\'s reminders)', () => {
    expect(intentsFor([{ type: 'cancelled_by_workshop' }], { status: 'cancelled', acceptDeadline: null }, NOW).map((i) => `${i.template}→${i.to}`)).toEqual(['booking_cancelled_by_workshop→customer']);
    expect(intentsFor([{ type: 'moved_by_workshop' }], { status: 'accepted', acceptDeadline: null }, NOW).map((i) => i.template)).toEqual(['booking_moved_by_workshop', 'reminder_24h', 'reminder_2h']);
    expect(intentsFor([{ type: 'moved_by_workshop' }], { status: 'pending', acceptDeadline: null }, NOW).map((i) => i.template)).toEqual(['booking_moved_by_workshop']);
  });

  it('a move re-schedules reminders only for an accepted booking; completion asks for a review', () => {
    expect(intentsFor([{ type: 'rescheduled' }], { status: 'pending', acceptDeadline: null }, NOW).map((i) => i.template)).toEqual(['booking_rescheduled']);
    expect(intentsFor([{ type: 'rescheduled' }], { status: 'accepted', acceptDeadline: null }, NOW).map((i) => i.template)).toEqual(['booking_rescheduled', 'reminder_24h', 'reminder_2h']);
    expect(intentsFor([{ type: 'completed' }], { status: 'completed', acceptDeadline: null }, NOW)).toEqual([{ template: 'review_request', to: 'customer', event: 0 }]);
  });
});

describe('whether a scheduled message is still wanted', () => {
  const startsAt = new Date(NOW.getTime() + 24 * H);
  const due = { template: 'reminder_24h' as const, sendAfter: NOW, booking: { status: 'accepted' as const, startsAt } };

  it('a reminder goes while the booking is accepted at the time it was scheduled for', () => {
    expect(stillWanted(due, NOW.getTime())).toEqual({ send: true });
    expect(stillWanted({ ...due, booking: { ...due.booking, status: 'cancelled' } }, NOW.getTime())).toEqual({ send: false, why: 'booking is cancelled' });
    expect(stillWanted({ ...due, booking: { ...due.booking, startsAt: new Date(startsAt.getTime() + H) } }, NOW.getTime())).toEqual({ send: false, why: 'booking moved' });
    // Less than half its lead left (booked late, or the queue was down): it would only confuse.
    expect(stillWanted(due, NOW.getTime() + 13 * H)).toEqual({ send: false, why: 'too close to the start' });
  });

  it('an escalation only while the request is pending; a review request only once completed; change mail always', () => {
    const b = { status: 'accepted' as const, startsAt };
    expect(stillWanted({ template: 'accept_escalation', sendAfter: NOW, booking: b }, NOW.getTime())).toEqual({ send: false, why: 'booking is accepted' });
    expect(stillWanted({ template: 'accept_escalation', sendAfter: NOW, booking: { ...b, status: 'pending' } }, NOW.getTime())).toEqual({ send: true });
    expect(stillWanted({ template: 'review_request', sendAfter: null, booking: b }, NOW.getTime())).toEqual({ send: false, why: 'booking is accepted' });
    expect(stillWanted({ template: 'booking_declined', sendAfter: null, booking: { ...b, status: 'declined' } }, NOW.getTime())).toEqual({ send: true });
  });
});
