import { describe, expect, it } from 'vitest';
import type { SearchFilter, WorkshopSearchStore } from './search-ports';
import { createWorkshopSearch, decodeCursor, encodeCursor, searchTerms, sortOf } from './workshop-search';
import { DomainError } from './errors';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('searchTerms', () => {
  it('keeps runs of letters and digits, lower-cased; tsquery syntax never survives', () => {
    expect(searchTerms("Brake & | ! ( :* 'pads'")).toEqual({ terms: ['brake', 'pads'], ignored: [] });
    expect(searchTerms("brake')) or 1=1 --").terms).toEqual(['brake', 'or', '1', '1']);
    expect(searchTerms('Zürich MOT-test').terms).toEqual(['zürich', 'mot', 'test']);
    expect(searchTerms('   ').terms).toEqual([]);
    expect(searchTerms(undefined).terms).toEqual([]);
    expect(searchTerms('a b c d e f g h i j')).toEqual({ terms: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ignored: ['i', 'j'] });
  });
});

describe('sortOf', () => {
  it('nearest with a point, best match with words, best rated otherwise; an explicit sort wins', () => {
    expect(sortOf({ lat: 1 }, true)).toBe('distance');
    expect(sortOf({}, true)).toBe('relevance');
    expect(sortOf({}, false)).toBe('rating');
    expect(sortOf({ sort: 'name', lat: 1 }, true)).toBe('name');
    expect(() => sortOf({ sort: 'relevance' }, false)).toThrow(DomainError);
  });
});

describe('cursor', () => {
  it('round-trips a position, and refuses another sort, other parameters or a forged shape', () => {
    const c = encodeCursor('rating', 'abcd1234', { keys: [4.5, 'Bravo'], id: ID });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 'rating', 'abcd1234')).toEqual({ keys: [4.5, 'Bravo'], id: ID });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as DomainError).code;
      }
      return 'none';
    };
    expect(code(() => decodeCursor(c, 'name', 'abcd1234'))).toBe('INVALID_CURSOR');
    expect(code(() => decodeCursor(c, 'rating', 'ffffffff'))).toBe('INVALID_CURSOR');
    expect(code(() => decodeCursor('garbage', 'rating', 'abcd1234'))).toBe('INVALID_CURSOR');
    expect(code(() => decodeCursor(encodeCursor('rating', 'abcd1234', { keys: ['x', 'y'], id: ID }), 'rating', 'abcd1234'))).toBe('INVALID_CURSOR');
    expect(code(() => decodeCursor(encodeCursor('rating', 'abcd1234', { keys: [1, 'y'], id: 'not-a-uuid' }), 'rating', 'abcd1234'))).toBe('INVALID_CURSOR');
    expect(code(() => decodeCursor(encodeCursor('soonest', 'abcd1234', { keys: ['yesterday', 'y'], id: ID }), 'soonest', 'abcd1234'))).toBe('INVALID_CURSOR');
  });
});

describe('createWorkshopSearch', () => {
  it('asks the store for one row more than the page, and hands out a cursor only when another page follows', async () => {
    const seen: SearchFilter[] = [];
    const row = (i: number) => ({ item: { id: `0f8fad5b-d9cb-469f-a165-7086772895${String(i).padStart(2, '0')}` } as never, distanceM: 1234.5, position: { keys: [i], id: ID } });
    const store: WorkshopSearchStore = {
      async search(f) {
        seen.push(f);
        return { rows: [row(1), row(2), row(3)].slice(0, f.limit), total: 3, facets: { categories: [], ratings: [], price: null } };
      },
    };
    const search = createWorkshopSearch({ store, clock: { now: () => Date.parse('2027-03-28T00:30:00Z') }, freeSlots: async () => 7 });
    const first = await search.search({ lat: 53.8, lng: -1.55, limit: 2, openOn: '2027-03-28' });
    expect(seen[0]).toMatchObject({ limit: 3, sort: 'distance', point: { radiusM: 50_000 }, openOn: { weekday: 0 } });
    expect(first.workshops).toHaveLength(2);
    expect(first.workshops[0]).toMatchObject({ distanceKm: 1.23, freeSlots: null });
    expect(first.nextCursor).not.toBeNull();
    const second = await search.search({ lat: 53.8, lng: -1.55, limit: 2, openOn: '2027-03-28', cursor: first.nextCursor! });
    expect(seen[1]!.after).toEqual({ keys: [2], id: ID });
    expect(second.nextCursor).not.toBeNull();
    const all = await search.search({ limit: 5, freeFrom: '2027-03-28T08:00:00Z', freeTo: '2027-03-28T18:00:00Z' });
    expect(all.nextCursor).toBeNull();
    expect(all.workshops.every((w) => w.freeSlots === 7)).toBe(true);
  });
});
