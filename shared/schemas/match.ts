import { z } from 'zod';
import { optionChoiceSchema } from '../service-options';
import { instantSchema } from './dates';
import { SERVICE_CATEGORIES } from './service';
import { instantOut } from './views';

/*
 * `POST /api/match`: a customer's need (what, where, when, how much) in, ranked bookable options
 * out, each with its score and why (README "Matching", docs/architecture.md "Matching").
 * `GET/PUT /api/admin/match-weights`: the weights operators give each factor.
 */

/** The widest time window a need may give (the slot horizon is 28 days). */
export const MATCH_MAX_WINDOW_DAYS = 28;
/** Radius bounds around the need's point. */
export const MATCH_MAX_RADIUS_KM = 200;
/** Options one answer carries at most, and by default. */
export const MATCH_MAX_LIMIT = 20;
export const MATCH_DEFAULT_LIMIT = 10;

/**
 * What a score is made of. distance: nearer is better (0 at the radius); price: the cheapest
 * option scores 1, dearer ones less (cheapest/price); rating: average stars out of 5 (neutral 0.5
 * with no reviews); completion: share of the workshop's finished bookings it completed
 * (completed / completed + declined + expired; neutral 0.5 without history); response: how fast
 * it accepts requests (1 at once, 0.5 after an hour; auto-accept counts as at once); soonness:
 * how early in the window the slot run starts (1 at its start, 0 at its end).
 */
export const MATCH_FACTORS = ['distance', 'price', 'rating', 'completion', 'response', 'soonness'] as const;
export type MatchFactor = (typeof MATCH_FACTORS)[number];

const weight = (f: MatchFactor) => z.int().min(0, `${f} is 0 to 100`).max(100, `${f} is 0 to 100`);

/** Operator weights per factor: whole numbers 0–100 (0 leaves a factor out); at least one above 0. */
export const matchWeightsSchema = z
  .strictObject({ distance: weight('distance'), price: weight('price'), rating: weight('rating'), completion: weight('completion'), response: weight('response'), soonness: weight('soonness') })
  .refine((w) => MATCH_FACTORS.some((f) => w[f] > 0), { message: 'Give at least one factor a weight above 0' });
export type MatchWeights = z.infer<typeof matchWeightsSchema>;

/** The weights a fresh database starts with (the migration writes the same row). */
export const DEFAULT_MATCH_WEIGHTS: MatchWeights = { distance: 30, price: 20, rating: 15, completion: 10, response: 10, soonness: 15 };

export const matchWeightsViewSchema = z.strictObject({
  weights: matchWeightsSchema,
  /** When an admin last changed them (null: never, the defaults). */
  updatedAt: instantOut.nullable(),
});
export type MatchWeightsView = z.infer<typeof matchWeightsViewSchema>;

const coordinate = (what: 'lat' | 'lng', max: number) => z.number().min(-max, `${what} must be between -${max} and ${max}`).max(max, `${what} must be between -${max} and ${max}`);

/** The need. Anyone may ask; `vehicleId` needs a signed-in customer whose garage holds it. */
export const matchNeedSchema = z
  .strictObject({
    /** Words naming the service ("brake", "oil change"); matched against service names and categories, the last word as a prefix. */
    q: z.string().trim().min(1, 'q must not be blank').max(100).optional(),
    category: z.enum(SERVICE_CATEGORIES).optional(),
    /** A vehicle from the caller's garage: services that do not take it are left out. */
    vehicleId: z.uuid().optional(),
    near: z.strictObject({
      lat: coordinate('lat', 90),
      lng: coordinate('lng', 180),
      radiusKm: z.number().gt(0, 'radiusKm must be above 0').max(MATCH_MAX_RADIUS_KM, `radiusKm is at most ${MATCH_MAX_RADIUS_KM}`),
    }),
    /** When the job may start: the first slot run that fits the service's duration and starts in [from, to). Checked by the domain (MATCH_WINDOW_INVALID). */
    window: z.strictObject({ from: instantSchema, to: instantSchema }),
    /** Skill tier and urgency (option ids): applied to the price where a service offers them. */
    options: optionChoiceSchema.optional(),
    /** The most the customer will pay, in minor units of the service's currency (options applied). */
    budgetCents: z.int().min(0).max(10_000_000).optional(),
    limit: z.int().min(1, 'limit is at least 1').max(MATCH_MAX_LIMIT, `limit is at most ${MATCH_MAX_LIMIT}`).optional(),
  })
  .refine((n) => n.q !== undefined || n.category !== undefined, { message: 'Say what is needed: q (words) or category', path: ['q'] });
export type MatchNeed = z.infer<typeof matchNeedSchema>;
export type MatchNeedInput = z.input<typeof matchNeedSchema>;

/** One factor of a score: its weight, the option's value on it (0–1), the points it adds and why. */
export const matchFactorViewSchema = z.strictObject({
  factor: z.enum(MATCH_FACTORS),
  weight: z.int(),
  /** 0 (worst) to 1 (best). */
  value: z.number(),
  /** weight × value / total weight × 100: the factor's share of the score. */
  points: z.number(),
  /** In words, e.g. "2.4 km away (radius 10 km)". */
  detail: z.string(),
});
export type MatchFactorView = z.infer<typeof matchFactorViewSchema>;

export const matchOptionSchema = z.strictObject({
  /** 1 = best. */
  rank: z.int(),
  /** 0–100: the weighted mean of the factors' values. */
  score: z.number(),
  workshop: z.strictObject({ id: z.uuid(), name: z.string(), city: z.string(), timezone: z.string() }),
  service: z.strictObject({ id: z.uuid(), name: z.string(), category: z.string(), durationMinutes: z.int() }),
  /** The first run of consecutive slots, with a unit free now (live counts, holds included), that fits the job. */
  run: z.strictObject({ slotIds: z.array(z.uuid()).min(1), startsAt: instantOut, endsAt: instantOut }),
  /** The price with the need's options applied where this service offers them (what a hold with `options` charges). */
  price: z.strictObject({ cents: z.int(), currency: z.string() }),
  /** The options this service applied (send these with the hold). */
  options: optionChoiceSchema,
  distanceKm: z.number(),
  rating: z.strictObject({ avg: z.number(), count: z.int() }),
  /** completed / (completed + declined + expired) over the last 180 days; null without any. */
  completionRate: z.number().nullable(),
  /** Median minutes from request to acceptance over the last 180 days (0 with auto-accept); null without any. */
  responseMinutes: z.number().nullable(),
  factors: z.array(matchFactorViewSchema),
});
export type MatchOption = z.infer<typeof matchOptionSchema>;

export const matchResultSchema = z.strictObject({
  options: z.array(matchOptionSchema),
  /** (workshop, service) pairs looked at before live availability and scoring (the nearest first, at most MATCH_MAX_CANDIDATES). */
  considered: z.int(),
  /** The window used (its start moved to now if it lay in the past). */
  window: z.strictObject({ from: instantOut, to: instantOut }),
  weights: matchWeightsSchema,
});
export type MatchResult = z.infer<typeof matchResultSchema>;
