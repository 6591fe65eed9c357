import { z } from 'zod';
import { calendarDateSchema, instantSchema, MAX_WINDOW_DAYS } from './dates';
import { SERVICE_CATEGORIES } from './service';
import { workshopListItemSchema } from './views';

/*
 * `GET /api/workshops`: the public search (README "Search"). Full text over a workshop's name,
 * services, city and description; distance from a point; facets; cursor pages.
 */

/** Results per page when `limit` is not given, and the most one page may ask for (more is a 400, never a silent cut). */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;
/** Radius around `lat`/`lng`: the default when a point is given, and the bounds. */
export const SEARCH_DEFAULT_RADIUS_KM = 50;
export const SEARCH_MAX_RADIUS_KM = 500;
/** Words of `q` used (the rest are ignored, and the response says so). */
export const SEARCH_MAX_TERMS = 8;

/**
 * relevance: best text match first (needs `q`; the default with `q` and no point); distance:
 * nearest first (needs `lat`/`lng`; the default with a point); rating: best rated (the default
 * otherwise); name: A–Z; soonest: earliest free slot first.
 */
export const SEARCH_SORTS = ['relevance', 'distance', 'rating', 'name', 'soonest'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** A decimal number written as a query parameter ("" or "1e3" or "0x10" are refused, not read as 0 or 1000). */
const decimal = (what: string) =>
  z.string().regex(/^-?\d{1,9}(\.\d{1,12})?$/, `${what} must be a decimal number`).transform(Number);
const wholeNumber = (what: string) => z.string().regex(/^\d{1,9}$/, `${what} must be a whole number`).transform(Number);

export const workshopSearchSchema = z
  .object({
    /** Words to find in names, services, categories, cities and descriptions; the last one also matches as a prefix. */
    q: z.string().trim().max(100).optional(),
    city: z.string().trim().max(80).optional(),
    /** Only workshops with an active service in this category. */
    category: z.enum(SERVICE_CATEGORIES).optional(),
    sort: z.enum(SEARCH_SORTS).optional(),
    /** A point (both or neither): results carry their distance from it and lie within `radiusKm`. */
    lat: decimal('lat').pipe(z.number().min(-90, 'lat must be between -90 and 90').max(90, 'lat must be between -90 and 90')).optional(),
    lng: decimal('lng').pipe(z.number().min(-180, 'lng must be between -180 and 180').max(180, 'lng must be between -180 and 180')).optional(),
    radiusKm: decimal('radiusKm').pipe(z.number().gt(0, 'radiusKm must be above 0').max(SEARCH_MAX_RADIUS_KM, `radiusKm is at most ${SEARCH_MAX_RADIUS_KM}`)).optional(),
    /** Price bounds in minor units (pence) on an active service's base price (in `category`, when given). */
    minPrice: wholeNumber('minPrice').optional(),
    maxPrice: wholeNumber('maxPrice').optional(),
    /** Average rating at least this (0–5). */
    minRating: decimal('minRating').pipe(z.number().min(0, 'minRating is 0 to 5').max(5, 'minRating is 0 to 5')).optional(),
    /** Open on this calendar date: opening hours on its weekday and no closure that day. */
    openOn: calendarDateSchema.optional(),
    /** Has a slot with a free unit starting in [freeFrom, freeTo) (both or neither; at most 35 days). */
    freeFrom: instantSchema.optional(),
    freeTo: instantSchema.optional(),
    /** `nextCursor` of the previous page, with the same other parameters. */
    cursor: z.string().min(1).max(600).regex(/^[A-Za-z0-9_-]+$/, 'cursor is not one this server gave').optional(),
    limit: wholeNumber('limit').pipe(z.number().min(1, 'limit is at least 1').max(SEARCH_MAX_LIMIT, `limit is at most ${SEARCH_MAX_LIMIT}`)).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const point = v.lat !== undefined || v.lng !== undefined;
    if (point && (v.lat === undefined || v.lng === undefined)) ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lng'], message: 'Give both lat and lng, or neither' });
    if (v.radiusKm !== undefined && !point) ctx.addIssue({ code: 'custom', path: ['radiusKm'], message: 'radiusKm needs lat and lng' });
    if (v.sort === 'distance' && !point) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'sort=distance needs lat and lng' });
    if (v.sort === 'relevance' && !v.q) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'sort=relevance needs q' });
    if (v.minPrice !== undefined && v.maxPrice !== undefined && v.minPrice > v.maxPrice) ctx.addIssue({ code: 'custom', path: ['maxPrice'], message: 'maxPrice must not be below minPrice' });
    if ((v.freeFrom === undefined) !== (v.freeTo === undefined)) ctx.addIssue({ code: 'custom', path: [v.freeFrom === undefined ? 'freeFrom' : 'freeTo'], message: 'Give both freeFrom and freeTo, or neither' });
    else if (v.freeFrom !== undefined && v.freeTo !== undefined) {
      const span = Date.parse(v.freeTo) - Date.parse(v.freeFrom);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['freeTo'], message: 'freeTo must be after freeFrom' });
      else if (span > MAX_WINDOW_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['freeTo'], message: `The free-slot window spans at most ${MAX_WINDOW_DAYS} days` });
    }
  });
export type WorkshopSearchQuery = z.output<typeof workshopSearchSchema>;
export type WorkshopSearchParams = z.input<typeof workshopSearchSchema>;

/** A search result: the list item plus what this search measured. */
export const searchResultItemSchema = z.strictObject({
  ...workshopListItemSchema.shape,
  /** Kilometres from the search point (null without one). */
  distanceKm: z.number().nullable(),
  /** With freeFrom/freeTo: slots in the window with a unit free right now (live counts, holds included); else null. */
  freeSlots: z.int().nullable(),
});
export type SearchResultItem = z.infer<typeof searchResultItemSchema>;

export const searchFacetsSchema = z.strictObject({
  /** Matching workshops offering each category (counted without the category filter). */
  categories: z.array(z.strictObject({ value: z.enum(SERVICE_CATEGORIES), count: z.int() })),
  /** Matching workshops rated at least 4, 3, 2 and 1 (counted without the rating filter). */
  ratings: z.array(z.strictObject({ min: z.int(), count: z.int() })),
  /** Cheapest and dearest active-service base price among matching workshops (without the price filter); null when none. */
  price: z.strictObject({ minCents: z.int(), maxCents: z.int() }).nullable(),
});
export type SearchFacets = z.infer<typeof searchFacetsSchema>;

export const workshopSearchResultSchema = z.strictObject({
  workshops: z.array(searchResultItemSchema),
  /** Every match, not just this page. */
  total: z.int(),
  /** The page size used (`limit`, else the default). */
  limit: z.int(),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  sort: z.enum(SEARCH_SORTS),
  /** The point and radius applied, when one was given. */
  near: z.strictObject({ lat: z.number(), lng: z.number(), radiusKm: z.number() }).nullable(),
  /** Words of `q` beyond SEARCH_MAX_TERMS that were not searched for (empty normally). */
  ignoredTerms: z.array(z.string()),
  facets: searchFacetsSchema,
});
export type WorkshopSearchResult = z.infer<typeof workshopSearchResultSchema>;

/** `GET /api/places?q=`: places from the gazetteer shipped with the product, for "near" and a workshop's location. */
export const placeSearchQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(80),
    limit: wholeNumber('limit').pipe(z.number().min(1).max(20)).optional(),
  })
  .strict();

export const placeViewSchema = z.strictObject({
  name: z.string(),
  province: z.string(),
  country: z.string(),
  lat: z.number(),
  lng: z.number(),
  timezone: z.string(),
});
export type PlaceView = z.infer<typeof placeViewSchema>;
