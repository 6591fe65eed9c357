import type { QualityBreach, QualityMetrics, QualityQueueItem, QualityThresholds, WorkshopQuality } from '@shared/schemas/quality';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';
import type { QualityCounts, QualityStore } from './quality-ports';
import { insuranceState, workshopToday } from './readiness';

/*
 * Workshop quality. Each metric counts the bookings *requested* within the window (the last
 * windowDays days before now), read from their booking_event rows:
 *  - completion rate = completed / (completed + declined + expired + cancelled by the workshop):
 *    of the requests that ended one way or another, the share the workshop carried out. Customer
 *    cancellations and no-shows are not the workshop's doing and are left out.
 *  - response time = the median of minutes from 'requested' to the vendor's first 'accepted' or
 *    'declined' (actor role vendor); auto-accepts (actor system) and expiries are not responses.
 *  - cancellation-by-workshop rate = bookings with a 'cancelled' event whose actor role is neither
 *    customer nor system nor admin (that is: the workshop's side) / bookings accepted (by anyone,
 *    auto-accepts included).
 *  - rating = the workshop's average over its visible reviews (all time, hidden reviews excluded),
 *    with the review count.
 * A threshold applies only once its count reaches the minimum (e.g. at least 10 reviews): a new
 * workshop with two bad reviews is not flagged. Rates are null when their denominator is 0.
 */

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  minRating: 3.0,
  minReviews: 10,
  minCompletionRate: 0.8,
  minFinished: 10,
  maxMedianResponseMinutes: 120,
  minResponses: 10,
  maxCancellationRate: 0.1,
  minAccepted: 10,
  windowDays: 90,
};

/** How long a dismissal keeps a workshop out of the queue (unless a new flag appears). */
export const DISMISS_DAYS = 30;
const DAY_MS = 86_400_000;

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/** The metrics the API shows, from the store's raw counts. */
export function metricsOf(c: Omit<QualityCounts, 'workshopId'>): QualityMetrics {
  const finished = c.completed + c.declined + c.expired + c.cancelledByWorkshop;
  return {
    completionRate: ratio(c.completed, finished),
    finished,
    medianResponseMinutes: c.responses === 0 ? null : c.medianResponseMinutes,
    responses: c.responses,
    workshopCancellationRate: ratio(c.cancelledByWorkshop, c.accepted),
    accepted: c.accepted,
    rating: c.ratingCount === 0 ? null : c.ratingAvg,
    reviews: c.ratingCount,
  };
}

const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;

/** Which thresholds the metrics breach, each explained. Pure; boundaries: a value equal to a threshold is fine. */
export function breachesOf(m: QualityMetrics, t: QualityThresholds): QualityBreach[] {
  const out: QualityBreach[] = [];
  if (m.rating !== null && m.reviews >= t.minReviews && m.rating < t.minRating) {
    out.push({ key: 'rating', detail: `Rating ${m.rating.toFixed(2)} over ${m.reviews} reviews (flagged below ${t.minRating.toFixed(1)} over at least ${t.minReviews})` });
  }
  if (m.completionRate !== null && m.finished >= t.minFinished && m.completionRate < t.minCompletionRate) {
    out.push({ key: 'completion', detail: `Completed ${pct(m.completionRate)} of ${m.finished} finished requests (flagged below ${pct(t.minCompletionRate)} over at least ${t.minFinished})` });
  }
  if (m.medianResponseMinutes !== null && m.responses >= t.minResponses && m.medianResponseMinutes > t.maxMedianResponseMinutes) {
    out.push({ key: 'response', detail: `Median response ${Math.round(m.medianResponseMinutes)} min over ${m.responses} answered requests (flagged above ${t.maxMedianResponseMinutes} min over at least ${t.minResponses})` });
  }
  if (m.workshopCancellationRate !== null && m.accepted >= t.minAccepted && m.workshopCancellationRate > t.maxCancellationRate) {
    out.push({ key: 'cancellation', detail: `Workshop cancelled ${pct(m.workshopCancellationRate)} of ${m.accepted} accepted bookings (flagged above ${pct(t.maxCancellationRate)} over at least ${t.minAccepted})` });
  }
  return out;
}

/** The flags a dismissal covers: breach keys, and the insurance state when it is flagged. */
const flagsOf = (breaches: QualityBreach[], insurance: QualityQueueItem['insurance']) =>
  [...breaches.map((b) => b.key as string), ...(insurance ? [`insurance:${insurance.state}`] : [])].sort();

/** Quality metrics for owners and admins, and the admin's quality queue. */
export function createQuality(deps: { store: QualityStore; clock: Clock; thresholds: QualityThresholds; owns: (actor: Principal, workshopId: string) => Promise<unknown>; exists: (workshopId: string) => Promise<boolean> }) {
  const { store, clock, thresholds: t } = deps;
  const window = () => {
    const until = new Date(clock.now());
    return { since: new Date(until.getTime() - t.windowDays * DAY_MS), until };
  };

  async function queueItems(): Promise<Array<QualityQueueItem & { flags: string[]; dismissedFlags: string[] | null }>> {
    const { since, until } = window();
    const rows = await store.candidates(since, until);
    return rows.map((c) => {
      const metrics = metricsOf(c);
      const breaches = c.status === 'verified' ? breachesOf(metrics, t) : [];
      const ins = insuranceState(c.insuranceExpiresOn, workshopToday(c.timezone, until.getTime()));
      const insurance: QualityQueueItem['insurance'] = c.lapsed && c.status === 'pending'
        ? { state: 'lapsed', expiresOn: c.insuranceExpiresOn }
        : c.status === 'verified' && (ins.state === 'expiring' || ins.state === 'lapsed')
          ? { state: ins.state === 'lapsed' ? 'lapsed' : 'expiring', expiresOn: c.insuranceExpiresOn }
          : null;
      return {
        workshop: { id: c.workshopId, name: c.name, city: c.city, status: c.status, ownerId: c.ownerId },
        metrics,
        breaches,
        insurance,
        flags: flagsOf(breaches, insurance),
        dismissedFlags: c.dismissal?.flags ?? null,
      };
    });
  }

  return {
    thresholds: t,

    /** The workshop's own metrics: its owner or an admin. */
    async forWorkshop(actor: Principal, workshopId: string): Promise<WorkshopQuality> {
      if (actor.role === 'admin') {
        if (!(await deps.exists(workshopId))) throw notFound('Workshop');
      } else await deps.owns(actor, workshopId);
      const { since, until } = window();
      const counts = await store.counts(since, until, workshopId);
      if (!counts) throw notFound('Workshop');
      const metrics = metricsOf(counts);
      return { workshopId, metrics, breaches: breachesOf(metrics, t), thresholds: t, since: since.toISOString() };
    },

    /**
     * Workshops an admin should look at: verified ones breaching a threshold, ones whose insurance
     * expires within 30 days (INSURANCE_WARNING_DAYS), and ones pending after a lapse. A dismissed workshop
     * stays out while its dismissal lasts, unless a flag appears that the dismissal did not cover.
     */
    async queue(actor: Principal): Promise<QualityQueueItem[]> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can read the quality queue');
      const items = await queueItems();
      return items
        .filter((i) => i.flags.length > 0)
        .filter((i) => !i.dismissedFlags || i.flags.some((f) => !i.dismissedFlags!.includes(f)))
        .map(({ flags: _f, dismissedFlags: _d, ...item }) => item);
    },

    /** Leaves a workshop as it is for DISMISS_DAYS: off the queue until then or until a new flag. */
    async dismiss(actor: Principal, workshopId: string, reason: string): Promise<void> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can dismiss from the quality queue');
      if (!(await deps.exists(workshopId))) throw notFound('Workshop');
      const item = (await queueItems()).find((i) => i.workshop.id === workshopId);
      if (!item || item.flags.length === 0) throw new DomainError('CONFLICT', 'This workshop is not in the quality queue');
      const at = new Date(clock.now());
      await store.dismiss({ workshopId, byId: actor.id, reason, flags: item.flags, at, until: new Date(at.getTime() + DISMISS_DAYS * DAY_MS) });
    },
  };
}
export type Quality = ReturnType<typeof createQuality>;

