import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { closedLoop } from '../arrivals';
import { progress } from '../log';
import { histogramDelta, scrapeHistograms } from '../server-metrics';
import { p95Target, round2, Samples } from '../stats';
import type { ScenarioContext, ScenarioResult } from '../context';

/*
 * The public search over a big catalog: 5,000 verified workshops with 10 services each (50,000),
 * spread over Great Britain, seeded straight into the target's Postgres, then a closed loop of
 * searches shaped like people's: words and prefixes as typed, "near me" with a radius, category
 * and rating facets, second pages through the cursor. Reports latency as the client saw it, the
 * servers' own histogram (`GET /api/workshops`, bucket bounds) and a one-at-a-time pass whose
 * latency is server time plus a loopback hop. Checks correctness only (every answer 200, distance
 * order, cursor pages without repeats), never speed.
 */

export const SEARCH_WORKSHOPS = 5_000;
export const SERVICES_PER_WORKSHOP = 10;

const PLACES: Array<[string, number, number]> = [
  ['London', 51.5074, -0.1278], ['Birmingham', 52.4862, -1.8904], ['Manchester', 53.4808, -2.2426], ['Leeds', 53.8008, -1.5491],
  ['Glasgow', 55.8642, -4.2518], ['Edinburgh', 55.9533, -3.1883], ['Bristol', 51.4545, -2.5879], ['Cardiff', 51.4816, -3.1791],
  ['Newcastle', 54.9783, -1.6178], ['Sheffield', 53.3811, -1.4701], ['Nottingham', 52.9548, -1.1581], ['Southampton', 50.9097, -1.4044],
  ['Norwich', 52.6309, 1.2974], ['Exeter', 50.7184, -3.5339], ['York', 53.9600, -1.0873], ['Inverness', 57.4778, -4.2247],
];
const SERVICES: Array<[string, string]> = [
  ['Oil change', 'maintenance'], ['Full service', 'maintenance'], ['Brake pads – front', 'brakes'], ['Brake discs and pads', 'brakes'],
  ['MOT test', 'inspection'], ['Tyre fitting', 'tyres'], ['Wheel alignment', 'tyres'], ['Engine diagnostics', 'diagnostics'],
  ['Dent repair', 'bodywork'], ['Battery replacement', 'electrical'], ['Air conditioning regas', 'maintenance'], ['Clutch replacement', 'other'],
];
const NAMES = ['Forge', 'Spanner', 'Piston', 'Crown', 'Riverside', 'Northside', 'Station', 'Harbour', 'Castle', 'Victoria', 'Market', 'Bridge'];
const KINDS = ['Garage', 'Motors', 'Autos', 'Car Care', 'Service Centre', 'Tyres & Brakes'];
const WORDS = ['brake', 'brak', 'oil change', 'oil', 'mot', 'tyre fit', 'diagnostics', 'clutch', 'riverside garage', 'castle motors', 'battery', 'alignment', 'full serv'];

/** Seeds the catalog in a few set-based statements (the per-row service trigger is paused and the documents built once). */
export async function seedSearchCatalog(databaseUrl: string, adminEmail: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const owner = (await db.query<{ id: string }>('select id from "user" where email = $1', [adminEmail])).rows[0]!.id;
    await db.query('begin');
    await db.query(`alter table service disable trigger workshop_search_doc_services`);
    await db.query(
      `insert into workshop (id, owner_id, name, slug, description, city, address, lat, lng, timezone, status, bays, slot_minutes, hold_ttl_seconds,
                             accept_sla_minutes, auto_accept, auto_accept_moves, rating_avg, rating_count, created_at, updated_at)
       select gen_random_uuid(), $1,
              ($2::text[])[1 + i % array_length($2::text[], 1)] || ' ' || ($3::text[])[1 + (i / 12) % array_length($3::text[], 1)] || ' ' || i,
              'bench-search-' || i || '-' || $6,
              'Independent garage number ' || i || ': servicing, repairs and MOTs while you wait.',
              ($4::text[])[1 + i % array_length($4::text[], 1)], i || ' High Street',
              49.95 + random() * 8.6, -5.7 + random() * 7.4, 'Europe/London', 'verified', 1 + i % 4, 30, 120, 30, false, false,
              round((1 + random() * 4)::numeric, 2), (random() * 40)::int, now(), now()
         from generate_series(1, $5::int) i`,
      [owner, NAMES, KINDS, PLACES.map((p) => p[0]), SEARCH_WORKSHOPS, randomUUID().slice(0, 8)],
    );
    await db.query(
      `insert into service (id, workshop_id, name, category, duration_minutes, base_price_cents, currency, options, active, created_at)
       select gen_random_uuid(), w.id, ($1::text[])[1 + (k + w.n) % array_length($1::text[], 1)], ($2::text[])[1 + (k + w.n) % array_length($2::text[], 1)],
              30 + 30 * (k % 3), 1500 + (random() * 30000)::int, 'GBP', '{"skillTiers":[],"urgency":[]}'::jsonb, true, now()
         from (select id, row_number() over () as n from workshop where slug like 'bench-search-%') w, generate_series(0, $3::int - 1) k`,
      [SERVICES.map((s) => s[0]), SERVICES.map((s) => s[1]), SERVICES_PER_WORKSHOP],
    );
    await db.query(`alter table service enable trigger workshop_search_doc_services`);
    await db.query(`update workshop set search_doc = workshop_search_doc(id, name, city, description), service_facets = workshop_service_facets(id) where slug like 'bench-search-%'`);
    await db.query('commit');
    await db.query('analyze workshop; analyze service;');
  } catch (err) {
    await db.query('rollback').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
}

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;

/** The i-th search of the mix (deterministic, so runs compare). */
function queryOf(i: number): Record<string, string> {
  const [, lat, lng] = pick(PLACES, i * 7);
  const point = { lat: String(lat), lng: String(lng), radiusKm: String(pick([10, 25, 50, 100], i)) };
  switch (i % 6) {
    case 0: return { q: pick(WORDS, i) };
    case 1: return { q: pick(WORDS, i), ...point };
    case 2: return { ...point };
    case 3: return { q: pick(WORDS, i), category: pick(SERVICES, i)[1], minRating: '3' };
    case 4: return { ...point, category: pick(SERVICES, i)[1], sort: 'rating', limit: '50' };
    default: return { city: pick(PLACES, i)[0], sort: 'name' };
  }
}

export async function searchScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { http, target, opts } = ctx;
  if (!target.databaseUrl) throw new Error('the search scenario seeds the target database: run it on own servers or give --database-url');
  const t0 = Date.now();
  await seedSearchCatalog(target.databaseUrl, target.admin.email);
  progress(`search: seeded ${SEARCH_WORKSHOPS} workshops, ${SEARCH_WORKSHOPS * SERVICES_PER_WORKSHOP} services in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const problems: string[] = [];
  let secondPages = 0;
  const check = (q: Record<string, string>, r: { status: number; body: any }) => {
    if (r.status !== 200) {
      if (problems.length < 5) problems.push(`${new URLSearchParams(q)} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      return false;
    }
    const list = r.body.workshops as Array<{ distanceKm: number | null }>;
    if (r.body.sort === 'distance' && list.some((w, k) => k > 0 && w.distanceKm! < list[k - 1]!.distanceKm!)) problems.push(`${new URLSearchParams(q)}: not nearest first`);
    return true;
  };
  const run = async (i: number, lat: Samples) => {
    const q = queryOf(i);
    const r = await http.call('GET', `/api/workshops?${new URLSearchParams(q)}`);
    if (!check(q, r)) return;
    lat.add(r.ms);
    // Every fourth search also asks for its second page.
    if (i % 4 === 0 && r.body.nextCursor) {
      const next = await http.call('GET', `/api/workshops?${new URLSearchParams({ ...q, cursor: r.body.nextCursor })}`);
      if (!check(q, next)) return;
      lat.add(next.ms);
      secondPages++;
      const seen = new Set((r.body.workshops as Array<{ id: string }>).map((w) => w.id));
      if ((next.body.workshops as Array<{ id: string }>).some((w) => seen.has(w.id))) problems.push(`${new URLSearchParams(q)}: page 2 repeats page 1`);
    }
  };

  // Warm-up (plans, pools), not counted.
  for (let i = 0; i < 30; i++) await run(i, new Samples());

  // One at a time: no queueing, so this is server time plus one loopback round trip.
  const serial = new Samples();
  const serialStart = Date.now();
  for (let i = 0; Date.now() - serialStart < Math.min(opts.durationSec, 10) * 1000 && i < 2000; i++) await run(i, serial);

  // Then concurrent clients, measured by the servers' own histogram too.
  const workers = Math.min(opts.concurrency, 8);
  const loaded = new Samples();
  const before = await scrapeHistograms(target.urls);
  const loop = await closedLoop(workers, opts.durationSec, async (_w, i) => run(i, loaded));
  const server = histogramDelta(before, await scrapeHistograms(target.urls), ['GET /api/workshops'])['GET /api/workshops'] ?? null;

  const sample = await http.call('GET', `/api/workshops?${new URLSearchParams({ q: 'brake' })}`);
  return {
    scenario: 'search',
    correct: problems.length === 0 && sample.status === 200 && sample.body.total > 0,
    doubleBookings: null,
    workshops: SEARCH_WORKSHOPS,
    services: SEARCH_WORKSHOPS * SERVICES_PER_WORKSHOP,
    brakeMatches: sample.body?.total ?? null,
    oneAtATimeMs: serial.summary(),
    target: p95Target(serial.summary().p95),
    concurrent: { workers, perSec: round2(loaded.count / (loop.elapsedMs / 1000)), latencyMs: loaded.summary(), secondPages },
    serverSideLoadedMs: server,
    problems,
  };
}
