import {
  SEARCH_DEFAULT_LIMIT, SEARCH_DEFAULT_RADIUS_KM, SEARCH_MAX_TERMS,
  type SearchSort, type WorkshopSearchQuery, type WorkshopSearchResult,
} from '@shared/schemas/search';
import type { Clock } from './clock';
import { DomainError } from './errors';
import type { SearchPosition, WorkshopSearchStore } from './search-ports';

/*
 * The public workshop search: turns a validated query into the store's filter (words, default
 * sort and radius, the weekday of a date), pages with an opaque cursor and adds the live free
 * counts of a free-slot window. SQL, tsquery syntax and PostGIS live in the store.
 */

/** Longest word kept (longer ones are cut: no real name or service word is this long). */
const MAX_TERM_LENGTH = 40;

/**
 * The words of `q`: runs of letters and digits, lower-cased; punctuation and tsquery operators
 * (`& | ! : * ( ) '`) never reach the store, so no input can change the query's structure.
 */
export function searchTerms(q: string | undefined): { terms: string[]; ignored: string[] } {
  const words = (q ?? '').normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const all = words.map((w) => w.slice(0, MAX_TERM_LENGTH));
  return { terms: all.slice(0, SEARCH_MAX_TERMS), ignored: all.slice(SEARCH_MAX_TERMS) };
}

/**
 * The sort a query gets: its own, else nearest first with a point ("near me" asks for the closest
 * of the matches), best match with words, best rated otherwise.
 */
export function sortOf(query: Pick<WorkshopSearchQuery, 'sort' | 'lat'>, hasTerms: boolean): SearchSort {
  if (query.sort === 'relevance' && !hasTerms) throw new DomainError('VALIDATION_FAILED', 'Invalid query: sort: sort=relevance needs words in q');
  return query.sort ?? (query.lat !== undefined ? 'distance' : hasTerms ? 'relevance' : 'rating');
}

/** How many keys each sort's position carries before the id (see the store's ORDER BY). */
const KEYS: Record<SearchSort, Array<'number' | 'string'>> = {
  relevance: ['number'],
  distance: ['number'],
  rating: ['number', 'string'],
  name: ['string'],
  soonest: ['string', 'string'],
};

/** FNV-1a (32 bits) of a string, hex: a cheap fingerprint, not a secret. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Everything but the page (cursor, limit): a cursor is only good for the query that made it. */
function fingerprintOf(query: WorkshopSearchQuery, sort: SearchSort): string {
  const { cursor: _cursor, limit: _limit, ...rest } = query;
  const keys = Object.keys(rest).sort() as Array<keyof typeof rest>;
  return fnv1a(JSON.stringify([sort, ...keys.map((k) => [k, rest[k]])]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(sort: SearchSort, fingerprint: string, at: SearchPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, s: sort, f: fingerprint, k: at.keys, id: at.id }), 'utf8').toString('base64url');
}

/** The position a cursor names, or INVALID_CURSOR (not one of ours, or made for another query). */
export function decodeCursor(text: string, sort: SearchSort, fingerprint: string): SearchPosition {
  const bad = (why: string) => new DomainError('INVALID_CURSOR', `Invalid cursor: ${why}. Start again without a cursor.`);
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad('not one this server gave');
  }
  if (typeof c !== 'object' || c === null) throw bad('not one this server gave');
  const { v, s, f, k, id } = c as Record<string, unknown>;
  const types = KEYS[sort];
  if (v !== 1 || typeof id !== 'string' || !UUID.test(id) || !Array.isArray(k) || k.length !== types.length
    || !k.every((x, i) => (types[i] === 'number' ? typeof x === 'number' && Number.isFinite(x) : typeof x === 'string' && x.length <= 200))) {
    throw bad('not one this server gave');
  }
  if (s !== sort || f !== fingerprint) throw bad('it belongs to a search with other parameters');
  if (sort === 'soonest' && k[0] !== 'infinity' && Number.isNaN(Date.parse(k[0] as string))) throw bad('not one this server gave');
  return { keys: k as Array<string | number>, id };
}

/** 0 = Sunday … 6 = Saturday, as opening hours store weekdays; a calendar date has no time zone. */
const weekdayOf = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

export function createWorkshopSearch(deps: {
  store: WorkshopSearchStore;
  clock: Clock;
  /** Slots starting in [from, to) with a unit free now, from the live counts (holds included). */
  freeSlots: (workshopId: string, from: Date, to: Date) => Promise<number>;
}) {
  return {
    async search(query: WorkshopSearchQuery): Promise<WorkshopSearchResult> {
      const { terms, ignored } = searchTerms(query.q);
      const sort = sortOf(query, terms.length > 0);
      const fingerprint = fingerprintOf(query, sort);
      const after = query.cursor ? decodeCursor(query.cursor, sort, fingerprint) : undefined;
      const limit = query.limit ?? SEARCH_DEFAULT_LIMIT;
      const point = query.lat !== undefined && query.lng !== undefined
        ? { lat: query.lat, lng: query.lng, radiusKm: query.radiusKm ?? SEARCH_DEFAULT_RADIUS_KM }
        : null;
      const window = query.freeFrom && query.freeTo ? { from: new Date(query.freeFrom), to: new Date(query.freeTo) } : undefined;
      const now = new Date(deps.clock.now());

      const { rows, total, facets } = await deps.store.search({
        terms,
        city: query.city || undefined,
        category: query.category,
        minPriceCents: query.minPrice,
        maxPriceCents: query.maxPrice,
        minRating: query.minRating,
        point: point ? { lat: point.lat, lng: point.lng, radiusM: point.radiusKm * 1000 } : undefined,
        openOn: query.openOn ? { date: query.openOn, weekday: weekdayOf(query.openOn) } : undefined,
        freeWindow: window,
        sort,
        after,
        limit: limit + 1,
        now,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const free = window
        ? await Promise.all(page.map((r) => deps.freeSlots(r.item.id, window.from, window.to)))
        : null;
      return {
        workshops: page.map((r, i) => ({
          ...r.item,
          distanceKm: r.distanceM == null ? null : Math.round(r.distanceM / 10) / 100,
          freeSlots: free ? free[i]! : null,
        })),
        total,
        limit,
        nextCursor: rows.length > limit && last ? encodeCursor(sort, fingerprint, last.position) : null,
        sort,
        near: point,
        ignoredTerms: ignored,
        facets,
      };
    },
  };
}

export type WorkshopSearch = ReturnType<typeof createWorkshopSearch>;
