import type { MikroORM } from '@mikro-orm/postgresql';
import type { SearchFacets } from '@shared/schemas/search';
import { SERVICE_CATEGORIES } from '@shared/schemas/service';
import type { SearchFilter, SearchRow, WorkshopSearchStore } from '../domain/search-ports';
import { WORKSHOP_COLUMNS, workshopFromRow } from './workshop-views';

/*
 * The public search in plain SQL (docs/architecture.md "Search"): `workshop.search_doc` (tsvector,
 * GIN) for words, `workshop.geog` (PostGIS geography, GiST) for distance, keyset pages on the
 * sort's keys plus the id. User words only ever travel as bound parameters: each is a run of
 * letters and digits (domain/workshop-search.ts searchTerms), turned into a query by
 * plainto_tsquery, or for the last word by to_tsquery on a quoted lexeme with `:*` (prefix).
 */

type Part = { sql: string; params: unknown[] };
const part = (sql: string, ...params: unknown[]): Part => ({ sql, params });

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);
/** A word as a quoted tsquery lexeme with a prefix mark: `'brak':*` (words carry no quote; doubled anyway). */
const prefixLexeme = (term: string) => `'${term.replace(/'/g, "''")}':*`;

/** The tsquery of the words: every word must match (stemmed or as written), the last one also as a prefix. */
export function tsqueryOf(terms: string[]): Part {
  const sql: string[] = [];
  const params: unknown[] = [];
  terms.forEach((t, i) => {
    if (i === terms.length - 1) {
      sql.push(`(to_tsquery('simple', ?) || to_tsquery('english', ?) || plainto_tsquery('english', ?))`);
      params.push(prefixLexeme(t), prefixLexeme(t), t);
    } else {
      sql.push(`(plainto_tsquery('english', ?) || plainto_tsquery('simple', ?))`);
      params.push(t, t);
    }
  });
  return { sql: sql.join(' && '), params };
}

type Facet = 'category' | 'price' | 'rating';

/** The WHERE conditions, each tagged with the facet it belongs to (a facet's counts leave its own out). */
function conditions(f: SearchFilter): Array<Part & { facet?: Facet }> {
  const out: Array<Part & { facet?: Facet }> = [part(`w.status = 'verified'`)];
  if (f.terms.length) out.push(part(`w.search_doc @@ p.tsq`));
  if (f.city) out.push(part(`w.city ilike ?`, escapeLike(f.city)));
  if (f.point) out.push(part(`st_dwithin(w.geog, p.pt, ?)`, f.point.radiusM));
  // `service_facets` has a key per category of the workshop's active services (Migration20261201230000).
  if (f.category) out.push({ ...part(`(w.service_facets -> ?) is not null`, f.category), facet: 'category' });
  if (f.minPriceCents !== undefined || f.maxPriceCents !== undefined) {
    out.push({
      ...part(
        `exists (select 1 from service s where s.workshop_id = w.id and s.active ${f.category ? 'and s.category = ?' : ''} and s.base_price_cents between ? and ?)`,
        ...(f.category ? [f.category] : []), f.minPriceCents ?? 0, f.maxPriceCents ?? 2_147_483_647,
      ),
      facet: 'price',
    });
  }
  if (f.minRating !== undefined) out.push({ ...part(`w.rating_avg >= ?`, f.minRating), facet: 'rating' });
  if (f.openOn) {
    out.push(part(
      `exists (select 1 from opening_hours h where h.workshop_id = w.id and h.weekday = ?) and not exists (select 1 from closure c where c.workshop_id = w.id and c.date = ?)`,
      f.openOn.weekday, f.openOn.date,
    ));
  }
  if (f.freeWindow) {
    out.push(part(
      `exists (select 1 from slot sl where sl.workshop_id = w.id and sl.booked < sl.capacity and not sl.withdrawn and sl.starts_at >= ? and sl.starts_at < ?)`,
      f.freeWindow.from, f.freeWindow.to,
    ));
  }
  return out;
}

const joinParts = (parts: Part[], sep: string): Part => ({ sql: parts.map((p) => `(${p.sql})`).join(sep) || 'true', params: parts.flatMap((p) => p.params) });

/** Each sort: its ORDER BY, the expressions of its keys, and the keyset condition "after (keys, id)". */
const RANK = `ts_rank(w.search_doc, p.tsq)::float8`;
const DIST = `st_distance(w.geog, p.pt)`;
const NEXT = `coalesce(nf.next, 'infinity'::timestamptz)`;

function ordering(f: SearchFilter): { orderBy: string; after?: Part } {
  const a = f.after;
  switch (f.sort) {
    case 'relevance':
      return { orderBy: `${RANK} desc, w.id`, after: a && part(`${RANK} < ? or (${RANK} = ? and w.id > ?)`, a.keys[0], a.keys[0], a.id) };
    case 'distance':
      return { orderBy: `${DIST}, w.id`, after: a && part(`${DIST} > ? or (${DIST} = ? and w.id > ?)`, a.keys[0], a.keys[0], a.id) };
    case 'rating':
      return {
        orderBy: `w.rating_avg desc, w.name, w.id`,
        after: a && part(`w.rating_avg < ? or (w.rating_avg = ? and (w.name > ? or (w.name = ? and w.id > ?)))`, a.keys[0], a.keys[0], a.keys[1], a.keys[1], a.id),
      };
    case 'name':
      return { orderBy: `w.name, w.id`, after: a && part(`w.name > ? or (w.name = ? and w.id > ?)`, a.keys[0], a.keys[0], a.id) };
    case 'soonest':
      return {
        orderBy: `${NEXT}, w.name, w.id`,
        after: a && part(`${NEXT} > ?::timestamptz or (${NEXT} = ?::timestamptz and (w.name > ? or (w.name = ? and w.id > ?)))`, a.keys[0], a.keys[0], a.keys[1], a.keys[1], a.id),
      };
  }
}

function positionOf(f: SearchFilter, r: Record<string, any>): SearchRow['position'] {
  switch (f.sort) {
    case 'relevance': return { keys: [Number(r.rank)], id: r.id };
    case 'distance': return { keys: [Number(r.dist_m)], id: r.id };
    case 'rating': return { keys: [Number(r.rating_avg), r.name], id: r.id };
    case 'name': return { keys: [r.name], id: r.id };
    case 'soonest': return { keys: [r.next_free ? new Date(r.next_free).toISOString() : 'infinity', r.name], id: r.id };
  }
}

export function createWorkshopSearchRepository(orm: MikroORM): WorkshopSearchStore {
  const run = <T = Record<string, any>>(q: Part) => orm.em.getConnection().execute<T[]>(q.sql, q.params as any[]);

  /** The query's constants, once: the tsquery and the point. */
  function params(f: SearchFilter): Part {
    const tsq = f.terms.length ? tsqueryOf(f.terms) : part(`null::tsquery`);
    const pt = f.point ? part(`st_setsrid(st_makepoint(?, ?), 4326)::geography`, f.point.lng, f.point.lat) : part(`null::geography`);
    return { sql: `with p as (select ${tsq.sql} as tsq, ${pt.sql} as pt)`, params: [...tsq.params, ...pt.params] };
  }

  return {
    async search(f) {
      const p = params(f);
      const conds = conditions(f);
      const all = joinParts(conds, ' and ');
      const order = ordering(f);
      const soonest = f.sort === 'soonest';
      const nextJoin = soonest
        ? part(`left join lateral (select min(sl.starts_at) as next from slot sl where sl.workshop_id = w.id and sl.starts_at > ? and sl.booked < sl.capacity and not sl.withdrawn) nf on true`, f.now)
        : part('');
      const pageWhere = order.after ? joinParts([all, order.after], ' and ') : all;

      const page = run({
        sql: `${p.sql} select ${WORKSHOP_COLUMNS.split(',').map((c) => `w.${c.trim()}`).join(', ')},
                ${f.terms.length ? RANK : 'null'} as rank, ${f.point ? DIST : 'null'} as dist_m, ${soonest ? 'nf.next' : 'null'} as next_free
              from workshop w cross join p ${nextJoin.sql}
              where ${pageWhere.sql} order by ${order.orderBy} limit ?`,
        params: [...p.params, ...nextJoin.params, ...pageWhere.params, f.limit],
      });
      // The total and every facet in one statement over one scan: the matches of every filter that is
      // not a facet's, each flagged with whether it passes each facet's filter; a facet counts the
      // matches passing every filter but its own (so it shows what picking another value would give).
      const flag = (facet: Facet) => conds.find((c) => c.facet === facet) ?? part('true');
      const [byCat, byPrice, byRating] = [flag('category'), flag('price'), flag('rating')];
      const base = joinParts(conds.filter((c) => !c.facet), ' and ');
      const facetRows = run<{ n: string; lo: number | null; hi: number | null; cats: Record<string, number> | null } & Record<`r${number}`, string>>({
        sql: `${p.sql}, m as materialized (
                select w.rating_avg, w.service_facets, (${byCat.sql}) as c_cat, (${byPrice.sql}) as c_price, (${byRating.sql}) as c_rating
                  from workshop w cross join p where ${base.sql})
              select t.*, pr.lo, pr.hi, cats.cats from
                (select count(*) filter (where c_rating) as n, count(*) filter (where rating_avg >= 4) as r4, count(*) filter (where rating_avg >= 3) as r3,
                        count(*) filter (where rating_avg >= 2) as r2, count(*) filter (where rating_avg >= 1) as r1
                   from m where c_cat and c_price) t,
                (select ${f.category ? `min((m.service_facets -> ? ->> 0)::int) as lo, max((m.service_facets -> ? ->> 1)::int) as hi from m`
                  : `min((f.range ->> 0)::int) as lo, max((f.range ->> 1)::int) as hi from m cross join lateral jsonb_each(m.service_facets) f(category, range)`}
                   where c_cat and c_rating) pr,
                (select jsonb_object_agg(category, n) as cats from (
                   select f.category, count(*) as n from m cross join lateral jsonb_object_keys(m.service_facets) f(category)
                    where c_price and c_rating group by f.category) c) cats`,
        params: [...p.params, ...byCat.params, ...byPrice.params, ...byRating.params, ...base.params, ...(f.category ? [f.category, f.category] : [])],
      });
      const [rows, [r]] = await Promise.all([page, facetRows]);

      const ids = rows.map((x) => x.id as string);
      const [next, from] = await Promise.all([soonest ? null : nextFree(ids, f.now), fromPrices(ids, f.category)]);
      const byCategory = new Map(Object.entries(r?.cats ?? {}).map(([c, n]) => [c, Number(n)]));
      const facets: SearchFacets = {
        categories: SERVICE_CATEGORIES.filter((c) => byCategory.has(c)).map((c) => ({ value: c, count: byCategory.get(c)! })),
        ratings: [4, 3, 2, 1].map((min) => ({ min, count: Number(r?.[`r${min}`] ?? 0) })),
        price: r && r.lo != null && r.hi != null ? { minCents: Number(r.lo), maxCents: Number(r.hi) } : null,
      };
      return {
        total: Number(r?.n ?? 0),
        facets,
        rows: rows.map((x) => {
          const nextFreeAt = soonest ? (x.next_free ? new Date(x.next_free).toISOString() : null) : (next!.get(x.id) ?? null);
          return {
            item: { ...workshopFromRow(x), nextFreeAt, fromPrice: from.get(x.id) ?? null },
            distanceM: x.dist_m == null ? null : Number(x.dist_m),
            position: positionOf(f, x),
          };
        }),
      };
    },
  };

  /** Each workshop's earliest slot with a unit not booked (holds are short-lived and not counted). */
  async function nextFree(ids: string[], after: Date): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await run<{ workshop_id: string; next: Date }>(part(
      `select workshop_id, min(starts_at) as next from slot
        where workshop_id in (?) and starts_at > ? and booked < capacity and not withdrawn group by workshop_id`,
      ids, after,
    ));
    return new Map(rows.map((r) => [r.workshop_id, new Date(r.next).toISOString()]));
  }

  /** Each workshop's cheapest active service (in the category, when one is asked for): "from £x". */
  async function fromPrices(ids: string[], category?: string): Promise<Map<string, { cents: number; currency: string }>> {
    if (!ids.length) return new Map();
    const rows = await run<{ workshop_id: string; cents: number; currency: string }>(part(
      `select distinct on (workshop_id) workshop_id, base_price_cents as cents, currency from service
        where workshop_id in (?) and active ${category ? 'and category = ?' : ''}
        order by workshop_id, base_price_cents`,
      ids, ...(category ? [category] : []),
    ));
    return new Map(rows.map((r) => [r.workshop_id, { cents: Number(r.cents), currency: r.currency }]));
  }
}
