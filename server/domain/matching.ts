import { MATCH_FACTORS, MATCH_MAX_WINDOW_DAYS, type MatchFactor, type MatchFactorView, type MatchWeights } from '@shared/schemas/match';
import { formatPrice } from '@shared/service-options';
import { DomainError } from './errors';

/*
 * The matching engine's rules, pure: the window a need may ask for, the first run of free slots
 * that fits a job, and the score of each option with a per-factor explanation and a
 * deterministic order. No store, no clock: the engine (matching-engine.ts) feeds them.
 */

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * The window to search: [max(from, now), to). MATCH_WINDOW_INVALID when `to` is not after
 * `from`, the window spans more than MATCH_MAX_WINDOW_DAYS, or it has already ended.
 */
export function matchWindow(from: string, to: string, now: number): { fromMs: number; toMs: number } {
  const f = Date.parse(from);
  const t = Date.parse(to);
  if (t <= f) throw new DomainError('MATCH_WINDOW_INVALID', 'The window must end after it starts (window.to after window.from)');
  if (t - f > MATCH_MAX_WINDOW_DAYS * DAY) throw new DomainError('MATCH_WINDOW_INVALID', `The window spans at most ${MATCH_MAX_WINDOW_DAYS} days`);
  if (t <= now) throw new DomainError('MATCH_WINDOW_INVALID', 'The window has already ended; pick times to come');
  return { fromMs: Math.max(f, now), toMs: t };
}

/** A slot as the run search sees it: times and the units free right now (live counts). */
export interface RunSlot {
  id: string;
  startMs: number;
  endMs: number;
  free: number;
}

/**
 * The first run of consecutive slots (each starting where the previous ended), every one with a
 * unit free, that covers `durationMinutes` (ceil(duration / the first slot's length) slots, as a
 * hold takes) and lies on one local day (`sameDay` of its first and last slot, asked only for
 * runs that otherwise fit: it is the costly check). Slots in start order; null when none fits.
 */
export function firstFreeRun(slots: readonly RunSlot[], durationMinutes: number, sameDay: (first: RunSlot, last: RunSlot) => boolean): RunSlot[] | null {
  for (let i = 0; i < slots.length; i++) {
    const first = slots[i]!;
    if (first.free <= 0) continue;
    const needed = Math.max(1, Math.ceil((durationMinutes * MINUTE) / (first.endMs - first.startMs)));
    let k = 1;
    for (; k < needed; k++) {
      const prev = slots[i + k - 1]!;
      const next = slots[i + k];
      if (!next || next.startMs !== prev.endMs || next.free <= 0) break;
    }
    if (k < needed) continue;
    const last = slots[i + needed - 1]!;
    if (needed > 1 && !sameDay(first, last)) continue;
    return slots.slice(i, i + needed);
  }
  return null;
}

/** What the score of one option is computed from. */
export interface ScoreInput {
  workshopId: string;
  serviceId: string;
  distanceM: number;
  priceCents: number;
  currency: string;
  ratingAvg: number;
  ratingCount: number;
  /** 0–1, null without finished bookings. */
  completionRate: number | null;
  /** Median minutes to accept, null without answered requests. */
  responseMinutes: number | null;
  autoAccept: boolean;
  /** When the option's slot run starts. */
  startMs: number;
}

export interface ScoreContext {
  radiusM: number;
  fromMs: number;
  toMs: number;
}

export type Scored<T> = T & { score: number; factors: MatchFactorView[] };

/** Two decimals, so equal-looking scores compare equal and the tie-break decides (no float noise in the order). */
const round2 = (n: number) => Math.round(n * 100) / 100;
const clamp01 = (n: number) => (n < 0 ? 0 : n > 1 ? 1 : n);

function duration(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${Math.round(hours * 10) / 10} h` : `${Math.round((hours / 24) * 10) / 10} days`;
}

/** Each factor's value (0–1) and its explanation, for one option among `cheapest` per currency. */
export function factorValues(c: ScoreInput, ctx: ScoreContext, cheapest: number): Record<MatchFactor, { value: number; detail: string }> {
  const km = c.distanceM / 1000;
  const radiusKm = ctx.radiusM / 1000;
  const price = formatPrice(c.priceCents, c.currency, 'en-GB');
  const into = (c.startMs - ctx.fromMs) / MINUTE;
  return {
    distance: { value: clamp01(1 - c.distanceM / ctx.radiusM), detail: `${km.toFixed(1)} km away (radius ${radiusKm} km)` },
    price: {
      value: c.priceCents <= 0 ? 1 : clamp01(cheapest / c.priceCents),
      detail: c.priceCents <= cheapest ? `${price}: the lowest price here` : `${price} (the lowest here is ${formatPrice(cheapest, c.currency, 'en-GB')})`,
    },
    rating: c.ratingCount > 0
      ? { value: clamp01(c.ratingAvg / 5), detail: `${c.ratingAvg.toFixed(1)} of 5 from ${c.ratingCount} review${c.ratingCount === 1 ? '' : 's'}` }
      : { value: 0.5, detail: 'No reviews yet (counted as neutral)' },
    completion: c.completionRate === null
      ? { value: 0.5, detail: 'No finished bookings yet (counted as neutral)' }
      : { value: clamp01(c.completionRate), detail: `Completed ${Math.round(c.completionRate * 100)}% of its finished bookings` },
    response: c.autoAccept
      ? { value: 1, detail: 'Accepts requests at once (auto-accept)' }
      : c.responseMinutes === null
        ? { value: 0.5, detail: 'No answered requests yet (counted as neutral)' }
        : { value: 60 / (60 + Math.max(0, c.responseMinutes)), detail: `Usually accepts within ${duration(c.responseMinutes)}` },
    soonness: {
      value: clamp01(1 - (c.startMs - ctx.fromMs) / Math.max(1, ctx.toMs - ctx.fromMs)),
      detail: into < 1 ? 'Starts as soon as your window opens' : `Starts ${duration(into)} into your window`,
    },
  };
}

/**
 * The deterministic order: score (two decimals) high first, then the earlier start, the shorter
 * distance, the lower price, then workshop id and service id — so equal options never swap
 * between two identical requests.
 */
export function compareScored(a: Scored<ScoreInput>, b: Scored<ScoreInput>): number {
  return b.score - a.score
    || a.startMs - b.startMs
    || a.distanceM - b.distanceM
    || a.priceCents - b.priceCents
    || (a.workshopId < b.workshopId ? -1 : a.workshopId > b.workshopId ? 1 : 0)
    || (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0);
}

/**
 * Scores every option (the weighted mean of its factors' values × 100; a factor's points are its
 * share) and sorts them best first. Prices are compared within a currency.
 */
export function rankOptions<T extends ScoreInput>(options: readonly T[], weights: MatchWeights, ctx: ScoreContext): Array<Scored<T>> {
  const total = MATCH_FACTORS.reduce((s, f) => s + weights[f], 0);
  if (total <= 0) throw new DomainError('VALIDATION_FAILED', 'Give at least one factor a weight above 0');
  const cheapest = new Map<string, number>();
  for (const o of options) cheapest.set(o.currency, Math.min(cheapest.get(o.currency) ?? Infinity, o.priceCents));
  const scored = options.map((o) => {
    const values = factorValues(o, ctx, cheapest.get(o.currency)!);
    let sum = 0;
    const factors = MATCH_FACTORS.map((f) => {
      const { value, detail } = values[f];
      sum += weights[f] * value;
      return { factor: f, weight: weights[f], value: round2(value), points: round2((weights[f] * value * 100) / total), detail };
    });
    return { ...o, score: round2((sum * 100) / total), factors };
  });
  return scored.sort(compareScored);
}
