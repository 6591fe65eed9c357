import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../db/outbox.repository';
import { renderMail } from './templates';

/* The workshop's cancel and move mails carry its reason and the free times offered instead (escaped in HTML). */

const message = (template: OutboxMessage['template'], eventData: Record<string, unknown>): OutboxMessage => ({
  kind: 'booking', id: 'm', dedupeKey: 'k', template, sendAfter: null, attempts: 0,
  recipient: { id: 'u', email: 'c@example.test', name: 'Cara', role: 'customer', status: 'active' },
  wants: { reminders: true, reviews: true },
  booking: {
    id: 'b', status: 'accepted', startsAt: new Date('2027-03-30T09:30:00Z'), endsAt: new Date('2027-03-30T10:00:00Z'), acceptDeadline: null,
    priceCents: 5000, currency: 'GBP', serviceName: 'Oil change', customerName: 'Cara', notes: null,
  },
  workshop: { id: 'w', name: 'Leeds Garage', timezone: 'Europe/London', address: '1 Road', city: 'Leeds', phone: null, email: null },
  eventData,
});
const links = { booking: 'http://localhost:3000/#/bookings/b', unsubscribe: null };
const alternatives = [{ startsAt: '2027-03-30T08:00:00Z', endsAt: '2027-03-30T08:30:00Z', slotIds: [] }];

describe('disruption mail', () => {
  it('a move says where it went, why, and what else is free', () => {
    const m = renderMail(message('booking_moved_by_workshop', { reason: 'The lift <broke>', alternatives }), links);
    expect(m.subject).toBe('Moved by Leeds Garage: Oil change, now Tue 30 Mar, 10:30 (Europe/London)');
    expect(m.text).toContain('Their reason: The lift <broke>');
    expect(m.text).toContain('Tue 30 Mar, 09:00 (Europe/London)');
    expect(m.html).toContain('The lift &lt;broke&gt;');
  });

  it('a cancel promises a full refund and names the reason', () => {
    const m = renderMail(message('booking_cancelled_by_workshop', { reason: 'Flooded', alternatives: [] }), links);
    expect(m.subject).toBe('Cancelled by Leeds Garage: Oil change, Tue 30 Mar, 10:30 (Europe/London)');
    expect(m.text).toContain('Their reason: Flooded');
    expect(m.text).toContain('refunded in full');
    expect(m.text).not.toContain('instead');
  });
});
