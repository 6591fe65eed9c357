import { describe, expect, it } from 'vitest';
import { JOB_STAGES, stageMoveAllowed, type JobStage, type QuoteView, type StageUpdateView } from '@shared/schemas/repair-tracking';
import type { BookingRecord } from './booking-ports';
import { manualClock } from './clock';
import { DomainError } from './errors';
import { createRepairTracking, ETA_MAX_AHEAD_MS } from './repair-tracking';
import type { JobStore } from './repair-tracking-ports';
import { recordingPublisher } from './testing/recording-publisher';

const NOW = Date.UTC(2027, 2, 28, 0, 30);
const CUSTOMER = '00000000-0000-4000-8000-00000000000c';
const OWNER = '00000000-0000-4000-8000-00000000000a';
const OTHER_VENDOR = '00000000-0000-4000-8000-00000000000b';

describe('which stage may follow which', () => {
  it('forward only, the same stage again as an update, and in progress back to waiting for parts', () => {
    const allowed = (from: JobStage | null) => JOB_STAGES.filter((to) => stageMoveAllowed(from, to));
    expect(allowed(null)).toEqual([...JOB_STAGES]);
    expect(allowed('checked_in')).toEqual([...JOB_STAGES]);
    expect(allowed('diagnosing')).toEqual(['diagnosing', 'waiting_for_parts', 'in_progress', 'ready_for_collection']);
    expect(allowed('in_progress')).toEqual(['waiting_for_parts', 'in_progress', 'ready_for_collection']);
    expect(allowed('ready_for_collection')).toEqual(['ready_for_collection']);
  });
});

/** One accepted booking and an in-memory job store: the domain's rules without Postgres. */
function setup(status: BookingRecord['status'] = 'accepted') {
  const clock = manualClock(NOW);
  // Its workshop's owner is its one member (the staff role decides workshop-side moves).
  const staff: BookingRecord['staff'] = { [OWNER]: 'owner' };
  const booking = { id: 'b1', customerId: CUSTOMER, ownerId: OWNER, staff, workshopId: 'w1', status, priceCents: 5000, currency: 'GBP', version: 1 } as BookingRecord;
  const updates: StageUpdateView[] = [];
  const quotes: QuoteView[] = [];
  const store: JobStore = {
    updates: async () => [...updates],
    quotes: async () => [...quotes].reverse(),
    findQuote: async (id) => quotes.find((q) => q.id === id) ?? null,
    addUpdate: async (u) => {
      const v: StageUpdateView = { id: `u${updates.length}`, bookingId: u.bookingId, stage: u.stage, note: u.note, eta: u.eta?.toISOString() ?? null, byRole: u.byRole, at: u.at.toISOString() };
      updates.push(v);
      return v;
    },
    createQuote: async (q) => {
      if (quotes.some((x) => x.status === 'pending')) return 'PENDING';
      const v: QuoteView = { id: `q${quotes.length}`, bookingId: q.bookingId, status: 'pending', items: q.items, totalMinor: q.totalMinor, currency: q.currency, note: q.note, createdAt: q.at.toISOString(), decidedAt: null, decidedByRole: null };
      quotes.push(v);
      return v;
    },
    decideQuote: async (d) => {
      const q = quotes.find((x) => x.id === d.quoteId);
      if (!q || q.status !== 'pending') return 'NOT_PENDING';
      Object.assign(q, { status: d.to, decidedAt: d.at.toISOString(), decidedByRole: d.byRole });
      if (d.to === 'approved') booking.priceCents += q.totalMinor;
      return { quote: q, booking };
    },
  };
  const publisher = recordingPublisher();
  const tracking = createRepairTracking({ bookings: { findById: async (id) => (id === booking.id ? booking : null) }, store, publisher, clock });
  return { tracking, publisher, booking, clock };
}

const vendor = { id: OWNER, role: 'vendor' as const };
const customer = { id: CUSTOMER, role: 'customer' as const };
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof DomainError ? e.code : String(e)));

describe('repair tracking rules', () => {
  it('an ETA must be ahead of the clock, and within 60 days', async () => {
    const { tracking } = setup();
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    expect(await code(tracking.setStage(vendor, 'b1', { stage: 'checked_in', eta: at(0) }))).toBe('VALIDATION_FAILED');
    expect(await code(tracking.setStage(vendor, 'b1', { stage: 'checked_in', eta: at(ETA_MAX_AHEAD_MS + 1) }))).toBe('VALIDATION_FAILED');
    expect(await code(tracking.setStage(vendor, 'b1', { stage: 'checked_in', eta: at(1) }))).toBe('ok');
  });

  it('only the workshop moves the job, only the customer answers a quote, strangers get FORBIDDEN', async () => {
    const { tracking } = setup();
    expect(await code(tracking.setStage(customer, 'b1', { stage: 'checked_in' }))).toBe('FORBIDDEN');
    expect(await code(tracking.setStage({ id: OTHER_VENDOR, role: 'vendor' }, 'b1', { stage: 'checked_in' }))).toBe('FORBIDDEN');
    expect(await code(tracking.setStage({ id: OWNER, role: 'admin' }, 'b1', { stage: 'checked_in' }))).toBe('FORBIDDEN');
    const q = await tracking.sendQuote(vendor, 'b1', { items: [{ description: 'Pads', priceMinor: 2000 }] });
    expect(await code(tracking.approve(vendor, 'b1', q.id))).toBe('FORBIDDEN');
    expect(await code(tracking.approve({ id: OTHER_VENDOR, role: 'customer' }, 'b1', q.id))).toBe('FORBIDDEN');
    expect(await code(tracking.timeline(customer, 'nope'))).toBe('NOT_FOUND');
  });

  it('approval: price and push follow; the second answer conflicts', async () => {
    const { tracking, publisher } = setup();
    const q = await tracking.sendQuote(vendor, 'b1', { items: [{ description: 'Pads', priceMinor: 2000 }, { description: 'Fitting', priceMinor: 500 }] });
    expect(await code(tracking.sendQuote(vendor, 'b1', { items: [{ description: 'More', priceMinor: 1 }] }))).toBe('CONFLICT');
    expect((await tracking.approve(customer, 'b1', q.id)).priceCents).toBe(7500);
    expect(await code(tracking.approve(customer, 'b1', q.id))).toBe('CONFLICT');
    expect(publisher.sent.filter((e) => e.kind === 'quote' || e.kind === 'booking').map((e) => e.kind === 'quote' ? `quote:${e.status}:${e.priceCents}` : `booking:${e.type}`)).toEqual([
      'quote:pending:5000', 'quote:approved:7500', 'booking:quote_approved',
    ]);
    expect(await tracking.timeline(customer, 'b1')).toMatchObject({ priceCents: 7500, basePriceCents: 5000, extrasMinor: 2500 });
  });

  it('a completed booking is no job to track', async () => {
    const { tracking } = setup('completed');
    expect(await code(tracking.setStage(vendor, 'b1', { stage: 'checked_in' }))).toBe('INVALID_TRANSITION');
    expect(await code(tracking.sendQuote(vendor, 'b1', { items: [{ description: 'x', priceMinor: 1 }] }))).toBe('INVALID_TRANSITION');
  });
});
