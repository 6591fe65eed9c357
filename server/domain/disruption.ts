import { isActiveStatus } from '@shared/booking-status';
import type { BookingView } from '@shared/schemas/booking';
import type { ClosureView, WorkshopView } from '@shared/schemas/views';
import type { ClosureInput } from '@shared/schemas/workshop';
import type { ClosureResolution, DayHasBookingsDetails, Disruption, FreeRun, MoveTarget, ResolutionOutcome } from '@shared/schemas/disruption';
import { MAX_WINDOW_DAYS } from '@shared/schemas/dates';
import type { Principal } from './actor';
import type { Availability } from './availability';
import type { BookingRecord, BookingStore } from './booking-ports';
import { requireReschedulable, requireTransition } from './booking-lifecycle';
import type { BookingTransitions } from './booking-transitions';
import type { WorkshopStore } from './catalog-ports';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';
import type { HoldRecord } from './hold-ports';
import type { LiveCounts } from './live-counts';
import { localDayOf } from './slot-generation';

const DAY = 86_400_000;
/** How many free runs a customer is offered with a workshop's cancel or move. */
export const ALTERNATIVES = 3;
/** A workshop move's own hold lives this long: only between taking the run and committing the move. */
const MOVE_HOLD_TTL_MS = 60_000;
/** The event a workshop's move is recorded as (the customer may then pick an alternative once, or cancel for free). */
export const MOVED_BY_WORKSHOP = 'moved_by_workshop';
export const CANCELLED_BY_WORKSHOP = 'cancelled_by_workshop';

/** Where a resolution must not land (the day being closed). */
interface Avoid {
  date?: string;
}

/**
 * Disruption: a workshop cancels or moves a booking it cannot honour, with a reason the customer
 * reads; the customer answers a move with one click (another free run, or a free cancellation);
 * closing a day resolves every booking on it first. Moves take capacity exactly as a reschedule
 * does (a hold in Redis for the booking's customer, then the reschedule saga), so Redis and
 * Postgres agree and nothing is double-booked.
 */
export function createDisruption(deps: {
  bookings: Pick<BookingStore, 'findById' | 'list' | 'events'>;
  transitions: Pick<BookingTransitions, 'applyTo' | 'moveOnto'>;
  live: Pick<LiveCounts, 'hold' | 'release'>;
  availability: Pick<Availability, 'snapshot'>;
  workshops: Pick<WorkshopStore, 'findById'>;
  /**
   * The one ownership check of vendor routes (catalog.owned: NOT_FOUND, or FORBIDDEN for another's
   * workshop). Kept a single call so staff roles can replace it.
   */
  access: (actor: Principal, workshopId: string) => Promise<WorkshopView>;
  /** Is the actor on the workshop's staff at all (workshopAccess.isMember)? */
  isMember: (actor: Principal, workshopId: string) => Promise<boolean>;
  /** Adds the closure and regenerates the day's slots (catalog.addClosure). */
  addClosure: (actor: Principal, workshopId: string, input: ClosureInput) => Promise<ClosureView>;
  clock: Clock;
}) {
  const { bookings, transitions, live, clock } = deps;
  const timingOf = (b: BookingRecord) => ({ now: clock.now(), startsAt: Date.parse(b.startsAt) });

  /**
   * The booking, if it is one of `actor`'s workshop's: another workshop's booking is NOT_FOUND (its
   * existence is private); a member of its workshop whose role may not act on it is FORBIDDEN,
   * naming the permission.
   */
  async function workshopBooking(actor: Principal, id: string): Promise<BookingRecord> {
    const b = await bookings.findById(id);
    if (!b || !(await deps.isMember(actor, b.workshopId))) throw notFound('Booking');
    await deps.access(actor, b.workshopId);
    return b;
  }

  async function customerBooking(actor: Principal, id: string): Promise<BookingRecord> {
    const b = await bookings.findById(id);
    if (!b || b.customerId !== actor.id) throw notFound('Booking');
    return b;
  }

  /** The workshop's last move of this booking, while it is the booking's latest event (the customer has not answered it). */
  async function openMove(b: BookingRecord): Promise<{ from: number } | null> {
    const last = (await bookings.events(b.id)).at(-1);
    if (last?.type !== MOVED_BY_WORKSHOP) return null;
    const from = typeof last.data?.originalStartsAt === 'string' ? Date.parse(last.data.originalStartsAt) : Date.parse(b.startsAt);
    return { from };
  }

  /**
   * Free runs for booking `b` (same workshop, the booking's length, consecutive slots on one local
   * day, none of b's own slots, none on `avoid.date`, starting after now), nearest to `around`
   * first (earlier on a tie). Counts are live (holds included); taking one is still decided by its hold.
   */
  async function freeRuns(b: BookingRecord, around: number, limit: number, avoid: Avoid = {}): Promise<FreeRun[]> {
    const w = await deps.workshops.findById(b.workshopId);
    if (!w) return [];
    const now = clock.now();
    const snap = await deps.availability.snapshot(w.id, new Date(now), new Date(now + MAX_WINDOW_DAYS * DAY));
    const slots = snap.slots.map((s) => ({ ...s, start: Date.parse(s.startsAt), end: Date.parse(s.endsAt) }));
    const own = new Set(b.slotIds);
    // The booking's own length: one service, or a visit's services back to back.
    const durationMs = Date.parse(b.endsAt) - Date.parse(b.startsAt);
    const runs: Array<FreeRun & { distance: number; start: number }> = [];
    for (let i = 0; i < slots.length; i++) {
      const first = slots[i]!;
      if (first.start <= now) continue;
      const day = localDayOf(new Date(first.start), w.timezone);
      if (day === avoid.date) continue;
      const needed = Math.ceil(durationMs / (first.end - first.start));
      const run = [first];
      for (let j = i + 1; run.length < needed && j < slots.length; j++) {
        const s = slots[j]!;
        if (s.start !== run[run.length - 1]!.end || localDayOf(new Date(s.start), w.timezone) !== day) break;
        run.push(s);
      }
      if (run.length < needed || run.some((s) => s.free <= 0 || own.has(s.id))) continue;
      runs.push({ startsAt: first.startsAt, endsAt: run[run.length - 1]!.endsAt, slotIds: run.map((s) => s.id), distance: Math.abs(first.start - around), start: first.start });
    }
    runs.sort((x, y) => x.distance - y.distance || x.start - y.start);
    return runs.slice(0, limit).map(({ startsAt, endsAt, slotIds }) => ({ startsAt, endsAt, slotIds }));
  }

  /** The free run starting exactly at `startsAt` (NO_FREE_RUN when there is none). */
  async function runAt(b: BookingRecord, startsAt: string, avoid: Avoid): Promise<FreeRun> {
    const at = Date.parse(startsAt);
    const day = (await deps.workshops.findById(b.workshopId))?.timezone;
    if (day && avoid.date && localDayOf(new Date(at), day) === avoid.date) {
      throw new DomainError('VALIDATION_FAILED', `That time is on ${avoid.date}, the day being closed; pick another day`);
    }
    const run = (await freeRuns(b, at, 1, avoid)).find((r) => Date.parse(r.startsAt) === at);
    if (!run) throw new DomainError('NO_FREE_RUN', 'There is no free time of this length starting then; pick another');
    return run;
  }

  /** Takes the run's units in Redis for the booking's customer (a hold only the move consumes; no customer quota or rate). */
  async function takeRun(b: BookingRecord, run: FreeRun): Promise<HoldRecord | null> {
    const held = await live.hold({
      workshopId: b.workshopId,
      serviceId: b.serviceId,
      customerId: b.customerId,
      slots: run.slotIds.map((id) => ({ id })),
      seeded: false,
      ttlMs: MOVE_HOLD_TTL_MS,
      maxActivePerCustomer: Number.MAX_SAFE_INTEGER,
    });
    return held.ok ? held.hold : null;
  }

  /** The move onto a held run; whatever fails, the hold does not outlive it. */
  async function moveWith(b: BookingRecord, hold: HoldRecord, actor: Principal, telling: Parameters<BookingTransitions['moveOnto']>[4]): Promise<BookingView> {
    try {
      return await transitions.moveOnto(b, hold, actor.id, actor.role, telling);
    } catch (err) {
      await live.release(hold.id, b.customerId).catch(() => undefined);
      throw err;
    }
  }

  async function moveByWorkshop(actor: Principal, bookingId: string, to: MoveTarget, reason: string, avoid: Avoid = {}): Promise<BookingView> {
    const b = await workshopBooking(actor, bookingId);
    requireReschedulable(b.status, timingOf(b));
    const original = Date.parse(b.startsAt);
    const candidates = to === 'nearest' ? await freeRuns(b, original, ALTERNATIVES, avoid) : [await runAt(b, to, avoid)];
    if (!candidates.length) throw new DomainError('NO_FREE_RUN', 'No free time of this length is left at the workshop; cancel the booking instead');
    // The nearest run may be taken between the read and the hold: try the next ones.
    for (const run of candidates) {
      const hold = await takeRun(b, run);
      if (!hold) continue;
      const alternatives = (await freeRuns(b, original, ALTERNATIVES + 1, avoid)).filter((r) => r.startsAt !== run.startsAt).slice(0, ALTERNATIVES);
      const disruption: Disruption = { kind: 'moved', reason, alternatives };
      return moveWith(b, hold, actor, {
        type: MOVED_BY_WORKSHOP,
        data: { reason, alternatives, originalStartsAt: b.startsAt },
        disruption,
      });
    }
    throw new DomainError('SLOT_UNAVAILABLE', 'That time was just taken; pick another');
  }

  async function cancelByWorkshop(actor: Principal, bookingId: string, reason: string, avoid: Avoid = {}): Promise<BookingView> {
    const b = await workshopBooking(actor, bookingId);
    requireTransition(b.status, 'workshop-cancel', 'vendor', timingOf(b));
    const alternatives = await freeRuns(b, Date.parse(b.startsAt), ALTERNATIVES, avoid);
    const disruption: Disruption = { kind: 'cancelled', reason, alternatives };
    // Money as for a decline: no fee, everything back (a void, or a full refund of an early capture).
    return transitions.applyTo(b, 'workshop-cancel', 'vendor', actor.id, { reason, alternatives }, { money: 'workshop-cancel', disruption });
  }

  /** Active bookings starting on the workshop's local `date`. */
  async function bookingsOn(w: WorkshopView, date: string): Promise<BookingView[]> {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    // Wide enough for every zone's day (UTC−12 … UTC+14), then filtered by the local day.
    const list = await bookings.list({ workshopId: w.id, from: new Date(midnight - DAY), to: new Date(midnight + 2 * DAY), limit: 500 });
    return list.filter((b) => isActiveStatus(b.status) && localDayOf(new Date(b.startsAt), w.timezone) === date);
  }

  const brief = (b: BookingView) => ({ id: b.id, startsAt: b.startsAt, endsAt: b.endsAt, serviceName: b.serviceName, customerName: b.customerName, status: b.status });

  return {
    cancelByWorkshop: (actor: Principal, bookingId: string, reason: string) => cancelByWorkshop(actor, bookingId, reason),
    moveByWorkshop: (actor: Principal, bookingId: string, to: MoveTarget, reason: string) => moveByWorkshop(actor, bookingId, to, reason),

    /** The workshop's view: the nearest free runs a booking could be moved to. */
    async nearestFreeRuns(actor: Principal, bookingId: string, limit = ALTERNATIVES): Promise<FreeRun[]> {
      const b = await workshopBooking(actor, bookingId);
      return freeRuns(b, Date.parse(b.startsAt), limit);
    },

    /** The customer's view: free runs near the time they booked (before a workshop's move), nearest first. */
    async alternatives(actor: Principal, bookingId: string): Promise<FreeRun[]> {
      const b = await customerBooking(actor, bookingId);
      if (!isActiveStatus(b.status) && b.status !== 'cancelled') return [];
      const move = await openMove(b);
      return freeRuns(b, move?.from ?? Date.parse(b.startsAt), ALTERNATIVES);
    },

    /**
     * One click: the customer takes another free run after the workshop moved the booking. It is a
     * customer reschedule (same saga), applied at once (the workshop caused the move, so it is no
     * request), once per workshop move.
     */
    async acceptAlternative(actor: Principal, bookingId: string, startsAt: string): Promise<BookingView> {
      const b = await customerBooking(actor, bookingId);
      requireReschedulable(b.status, timingOf(b));
      if (!(await openMove(b))) throw new DomainError('INVALID_TRANSITION', 'Only a booking the workshop moved can take an alternative this way; reschedule it instead');
      const run = await runAt(b, startsAt, {});
      const hold = await takeRun(b, run);
      if (!hold) throw new DomainError('SLOT_UNAVAILABLE', 'That time was just taken; pick another');
      return moveWith(b, hold, actor, { type: 'rescheduled', data: { alternative: true } });
    },

    /** The customer declines the workshop's move: cancelled with everything refunded (no late fee), whatever the time. */
    async cancelAfterMove(actor: Principal, bookingId: string): Promise<BookingView> {
      const b = await customerBooking(actor, bookingId);
      if (!(await openMove(b))) throw new DomainError('INVALID_TRANSITION', 'Only a booking the workshop moved can be cancelled this way; cancel it as usual');
      return transitions.applyTo(b, 'cancel', 'customer', actor.id, { reason: 'The new time does not suit the customer', afterWorkshopMove: true }, { money: 'workshop-cancel' });
    },

    /**
     * Closes a day. With bookings on it, every one needs a resolution (else DAY_HAS_BOOKINGS lists
     * them and nothing changes). Each resolution is its own safe transaction (a move: hold, then the
     * reschedule saga; a cancel: one transition), applied in turn; if any fails, those applied
     * stand, the day stays open and DAY_HAS_BOOKINGS lists what is left with the failures (send
     * again for those). The day closes only once none is left on it. A booking confirmed from a
     * hold taken before the closure, in the instant between the last check and the closure, stays
     * on its (withdrawn) slot and is listed in `stillOnDay`.
     */
    async closeDay(actor: Principal, workshopId: string, input: { date: string; reason?: string | null; resolutions?: ClosureResolution[] }) {
      const w = await deps.access(actor, workshopId);
      const on = await bookingsOn(w, input.date);
      const byId = new Map((input.resolutions ?? []).map((r) => [r.bookingId, r]));
      const refuse = (bookingsLeft: BookingView[], resolved: ResolutionOutcome[], failures: DayHasBookingsDetails['failures'], message: string) => {
        const details: DayHasBookingsDetails = { date: input.date, bookings: bookingsLeft.map(brief), resolved, failures };
        return new DomainError('DAY_HAS_BOOKINGS', message, details as unknown as Record<string, unknown>);
      };
      const unresolved = on.filter((b) => !byId.has(b.id));
      if (unresolved.length) {
        throw refuse(on, [], [], `${on.length} booking${on.length === 1 ? ' is' : 's are'} on ${input.date}: move or cancel each before closing the day`);
      }
      const resolved: ResolutionOutcome[] = [];
      const failures: DayHasBookingsDetails['failures'] = [];
      for (const b of on) {
        const r = byId.get(b.id)!;
        try {
          const after = r.action === 'move'
            ? await moveByWorkshop(actor, b.id, r.to, r.reason, { date: input.date })
            : await cancelByWorkshop(actor, b.id, r.reason, { date: input.date });
          resolved.push({ bookingId: b.id, outcome: r.action === 'move' ? 'moved' : 'cancelled', startsAt: after.startsAt });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          failures.push({ bookingId: b.id, code: err.code, message: err.message });
        }
      }
      if (failures.length) {
        const left = await bookingsOn(w, input.date);
        throw refuse(left, resolved, failures, `${failures.length} booking${failures.length === 1 ? '' : 's'} could not be resolved; the day is still open`);
      }
      const closure = await deps.addClosure(actor, workshopId, { date: input.date, reason: input.reason ?? null });
      const stillOnDay = (await bookingsOn(w, input.date)).map(brief);
      return { closure, resolved, stillOnDay };
    },
  };
}

export type DisruptionService = ReturnType<typeof createDisruption>;
