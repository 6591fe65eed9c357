import type { BookingStatus } from '@shared/booking-status';
import {
  JOB_STAGE_LABELS, stageMoveAllowed,
  type CreateQuoteInput, type JobTimeline, type QuoteView, type StageUpdateInput, type StageUpdateView,
} from '@shared/schemas/repair-tracking';
import type { Principal } from './actor';
import type { BookingRecord, BookingStore, Publisher } from './booking-ports';
import { bookingView, canSee, requireStaffPermission } from './bookings';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';
import type { OutboxIntent } from './notifications';
import { TRACKABLE_STATUSES, type JobStore, type QuoteDecision, type TrackingPublisher } from './repair-tracking-ports';

/** The largest booking price (minor units) the booking's integer column holds. */
const PRICE_MAX = 2_147_483_647;

/** An ETA further ahead than this is a typo, not a plan. */
export const ETA_MAX_AHEAD_MS = 60 * 86_400_000;

type Side = 'customer' | 'workshop' | 'admin';

/**
 * Who this person is to the booking. The workshop side is decided by `canSee`, the same ownership
 * check every booking route uses (one call, so staff roles added there apply here too).
 */
function sideOf(actor: Principal, b: BookingRecord): Side | null {
  if (!canSee(actor, b)) return null;
  if (actor.role === 'admin') return 'admin';
  return b.customerId === actor.id ? 'customer' : 'workshop';
}

const trackable = (s: BookingStatus) => (TRACKABLE_STATUSES as readonly BookingStatus[]).includes(s);
const closed = (b: BookingRecord) =>
  new DomainError('INVALID_TRANSITION', `The job of a ${b.status} booking cannot be tracked; only accepted and in-progress bookings can`, { status: b.status });

/**
 * Live repair tracking: the workshop moves an accepted job through its stages (with a note and an
 * ETA) and sends quotes for extra work; the booking's customer approves or declines them, and an
 * approval raises the booking's price (base + approved quotes) in the same transaction as its history.
 * Extra work is paid at the workshop: no card is ever charged more than it authorized at confirm.
 */
export function createRepairTracking(deps: {
  bookings: Pick<BookingStore, 'findById'>;
  store: JobStore;
  publisher: TrackingPublisher & Pick<Publisher, 'bookingChanged'>;
  clock: Clock;
}) {
  const { store, publisher, clock } = deps;

  /** The booking and the caller's side of it: 404 when there is no such booking, 403 when the caller is no party to it. */
  async function access(actor: Principal, bookingId: string, allowed: readonly Side[], what: string) {
    const b = await deps.bookings.findById(bookingId);
    if (!b) throw notFound('Booking');
    const side = sideOf(actor, b);
    if (!side || !allowed.includes(side)) throw forbidden(`Only ${what}`);
    return { b, side };
  }

  async function quoteOf(bookingId: string, quoteId: string): Promise<QuoteView> {
    const q = await store.findQuote(quoteId);
    if (!q || q.bookingId !== bookingId) throw notFound('Quote');
    return q;
  }

  async function decide(actor: Principal, bookingId: string, quoteId: string, to: QuoteDecision): Promise<{ quote: QuoteView; priceCents: number }> {
    const who = to === 'withdrawn' ? ['workshop'] as const : ['customer'] as const;
    const { b } = await access(actor, bookingId, who, to === 'withdrawn' ? "the booking's workshop can withdraw its quote" : "the booking's customer can answer a quote");
    await quoteOf(bookingId, quoteId);
    const at = new Date(clock.now());
    const r = await store.decideQuote({ quoteId, bookingId, to, byId: actor.id, byRole: actor.role, at });
    if (r === 'CLOSED') throw closed((await deps.bookings.findById(bookingId)) ?? b);
    if (r === 'NOT_PENDING') {
      const now = await store.findQuote(quoteId);
      throw new DomainError('CONFLICT', `This quote was already ${now?.status ?? 'answered'}`, { status: now?.status });
    }
    publisher.quoteChanged({ quote: r.quote, priceCents: r.booking.priceCents, customerId: b.customerId, workshopId: b.workshopId });
    // An approval changed the booking itself (price, version): its usual push carries it to every screen.
    if (to === 'approved') publisher.bookingChanged(bookingView(r.booking), { type: 'quote_approved', at: at.toISOString(), actorRole: actor.role });
    return { quote: r.quote, priceCents: r.booking.priceCents };
  }

  return {
    /** The job's stages, quotes and price: for the booking's customer, its workshop and admins. */
    async timeline(actor: Principal, bookingId: string): Promise<JobTimeline> {
      const { b } = await access(actor, bookingId, ['customer', 'workshop', 'admin'], "the booking's customer, its workshop and admins can see its job");
      const [updates, quotes] = await Promise.all([store.updates(bookingId), store.quotes(bookingId)]);
      const extrasMinor = quotes.filter((q) => q.status === 'approved').reduce((n, q) => n + q.totalMinor, 0);
      const last = updates.at(-1) ?? null;
      return {
        bookingId, stage: last?.stage ?? null, eta: last?.eta ?? null, updates, quotes,
        priceCents: b.priceCents, basePriceCents: b.priceCents - extrasMinor, extrasMinor, currency: b.currency,
      };
    },

    /** The workshop moves the job on (or updates the current stage's note and ETA). */
    async setStage(actor: Principal, bookingId: string, input: StageUpdateInput): Promise<StageUpdateView> {
      const { b } = await access(actor, bookingId, ['workshop'], "the booking's workshop can move its job on");
      requireStaffPermission(actor, b, 'jobs.update');
      if (!trackable(b.status)) throw closed(b);
      const now = clock.now();
      const eta = input.eta ? new Date(input.eta) : null;
      if (eta && eta.getTime() <= now) throw new DomainError('VALIDATION_FAILED', 'The ETA must be in the future', { field: 'eta' });
      if (eta && eta.getTime() > now + ETA_MAX_AHEAD_MS) throw new DomainError('VALIDATION_FAILED', 'The ETA must be within 60 days', { field: 'eta' });
      const from = (await store.updates(bookingId)).at(-1)?.stage ?? null;
      if (!stageMoveAllowed(from, input.stage)) {
        throw new DomainError('INVALID_TRANSITION', `A job ${JOB_STAGE_LABELS[from!].toLowerCase()} cannot go back to ${JOB_STAGE_LABELS[input.stage].toLowerCase()}`, { from, to: input.stage });
      }
      // "Ready for collection" reaches the customer by mail too, once (not on later updates of it).
      const outbox: OutboxIntent[] = input.stage === 'ready_for_collection' && from !== 'ready_for_collection' ? [{ template: 'job_ready', to: 'customer', event: 0 }] : [];
      const written = await store.addUpdate({
        bookingId, stage: input.stage, note: input.note || null, eta, byId: actor.id, byRole: actor.role, at: new Date(now), expectedFrom: from, outbox,
      });
      if (written === 'CLOSED') throw closed((await deps.bookings.findById(bookingId)) ?? b);
      if (written === 'STALE') throw new DomainError('VERSION_CONFLICT', 'Someone else moved this job at the same moment; reload it');
      publisher.jobUpdated({ update: written, customerId: b.customerId, workshopId: b.workshopId });
      return written;
    },

    /** The workshop sends a quote for extra work; one may be pending at a time. */
    async sendQuote(actor: Principal, bookingId: string, input: CreateQuoteInput): Promise<QuoteView> {
      const { b } = await access(actor, bookingId, ['workshop'], "the booking's workshop can send it a quote");
      // A quote changes what the customer pays: the desk's decision (owner, front desk), not a mechanic's.
      requireStaffPermission(actor, b, 'bookings.respond');
      if (!trackable(b.status)) throw closed(b);
      const items = input.items.map((i) => ({ description: i.description.trim(), priceMinor: i.priceMinor }));
      const totalMinor = items.reduce((n, i) => n + i.priceMinor, 0);
      // The booking's price is a 32-bit integer of minor units: refuse what it could not hold once approved.
      if (b.priceCents + totalMinor > PRICE_MAX) throw new DomainError('VALIDATION_FAILED', 'This quote would take the booking over the largest price Holdfast records', { field: 'items' });
      const quote = await store.createQuote({
        bookingId, items, totalMinor, currency: b.currency, note: input.note || null, byId: actor.id, byRole: actor.role,
        at: new Date(clock.now()), outbox: [{ template: 'quote_waiting', to: 'customer', event: 0 }],
      });
      if (quote === 'CLOSED') throw closed((await deps.bookings.findById(bookingId)) ?? b);
      if (quote === 'PENDING') throw new DomainError('CONFLICT', 'A quote is already waiting for the customer; withdraw it to send another');
      publisher.quoteChanged({ quote, priceCents: b.priceCents, customerId: b.customerId, workshopId: b.workshopId });
      return quote;
    },

    withdraw: (actor: Principal, bookingId: string, quoteId: string) => decide(actor, bookingId, quoteId, 'withdrawn'),
    approve: (actor: Principal, bookingId: string, quoteId: string) => decide(actor, bookingId, quoteId, 'approved'),
    decline: (actor: Principal, bookingId: string, quoteId: string) => decide(actor, bookingId, quoteId, 'declined'),
  };
}

export type RepairTracking = ReturnType<typeof createRepairTracking>;
