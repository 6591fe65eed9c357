import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { closedLoop } from '../arrivals';
import { progress } from '../log';
import { histogramDelta, scrapeHistograms } from '../server-metrics';
import { p95Target, round2, Samples } from '../stats';
import type { ScenarioContext, ScenarioResult } from '../context';

/*
 * The matching engine over a big catalog with live availability: 1,000 verified workshops, each
 * with four services and 28 days of 30-minute slots 08:00–18:00 (560,000 slots, a quarter of them
 * fully booked so runs have gaps to skip), seeded straight into the target's Postgres, in 10
 * clusters around British cities. Then a closed loop of `POST /api/match` shaped like people's
 * needs: words or a category, 10–50 km around a city, windows from one day to the full 28 days,
 * sometimes a budget. The first match of each workshop seeds its Redis counters (as any first
 * snapshot does); the warm-up covers that. Reports a one-at-a-time pass (server time plus a
 * loopback hop), the servers' own histogram for `POST /api/match` under concurrency, and checks
 * correctness only (every answer 200, ranks in score order, runs inside the window).
 */

export const MATCH_WORKSHOPS = 1_000;
export const MATCH_DAYS = 28;

const PLACES: Array<[string, number, number]> = [
  ['London', 51.5074, -0.1278], ['Birmingham', 52.4862, -1.8904], ['Manchester', 53.4808, -2.2426], ['Leeds', 53.8008, -1.5491],
  ['Glasgow', 55.8642, -4.2518], ['Bristol', 51.4545, -2.5879], ['Cardiff', 51.4816, -3.1791], ['Newcastle', 54.9783, -1.6178],
  ['Sheffield', 53.3811, -1.4701], ['Nottingham', 52.9548, -1.1581],
];
const SERVICES: Array<[string, string, number]> = [
  ['Brake pads – front', 'brakes', 60], ['Oil change', 'maintenance', 30], ['MOT test', 'inspection', 60], ['Tyre fitting', 'tyres', 30],
];
const WORDS = ['brake', 'brake pads', 'oil change', 'mot', 'tyre'];
const DAY = 86_400_000;

/** Seeds workshops, services, hours and slots in a few set-based statements. */
export async function seedMatchCatalog(databaseUrl: string, adminEmail: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const owner = (await db.query<{ id: string }>('select id from "user" where email = $1', [adminEmail])).rows[0]!.id;
    const tag = randomUUID().slice(0, 8);
    await db.query('begin');
    // Within about 25 km of one of the places (UTC, so the seeded slots are what the schedule generates).
    await db.query(
      `insert into workshop (id, owner_id, name, slug, description, city, address, lat, lng, timezone, status, bays, slot_minutes, hold_ttl_seconds,
                             accept_sla_minutes, auto_accept, auto_accept_moves, rating_avg, rating_count, created_at, updated_at)
       select gen_random_uuid(), $1, 'Match Garage ' || i, 'bench-match-' || i || '-' || $5, null,
              ($2::text[])[1 + i % array_length($2::text[], 1)], i || ' Station Road',
              ($3::float8[])[1 + i % array_length($3::float8[], 1)] + (random() - 0.5) * 0.4,
              ($4::float8[])[1 + i % array_length($4::float8[], 1)] + (random() - 0.5) * 0.6,
              'UTC', 'verified', 1 + i % 3, 30, 120, 30, i % 5 = 0, false,
              round((1 + random() * 4)::numeric, 2), (random() * 40)::int, now(), now()
         from generate_series(1, $6::int) i`,
      [owner, PLACES.map((p) => p[0]), PLACES.map((p) => p[1]), PLACES.map((p) => p[2]), tag, MATCH_WORKSHOPS],
    );
    await db.query(`create temp table bench_match_ws on commit drop as select id, bays from workshop where slug like 'bench-match-%-' || $1`, [tag]);
    await db.query(
      `insert into service (id, workshop_id, name, category, duration_minutes, base_price_cents, currency, options, active, created_at)
       select gen_random_uuid(), w.id, s.name, s.category, s.minutes, 2500 + (random() * 20000)::int, 'GBP', '{"skillTiers":[],"urgency":[]}'::jsonb, true, now()
         from bench_match_ws w, unnest($1::text[], $2::text[], $3::int[]) s(name, category, minutes)`,
      [SERVICES.map((s) => s[0]), SERVICES.map((s) => s[1]), SERVICES.map((s) => s[2])],
    );
    await db.query(
      `insert into opening_hours (id, workshop_id, weekday, opens, closes)
       select gen_random_uuid(), w.id, d, '08:00', '18:00' from bench_match_ws w, generate_series(0, 6) d`,
    );
    // 20 slots a day from today (UTC) for 28 days; a quarter fully booked.
    await db.query(
      `insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked, withdrawn)
       select gen_random_uuid(), w.id, t, t + interval '30 minutes', w.bays, case when random() < 0.25 then w.bays else 0 end, false
         from bench_match_ws w,
              generate_series(date_trunc('day', now()) + interval '8 hours', date_trunc('day', now()) + interval '${MATCH_DAYS} days', interval '30 minutes') t
        where extract(hour from t) >= 8 and extract(hour from t) < 18`,
    );
    await db.query('commit');
    await db.query('analyze workshop; analyze service; analyze slot;');
  } catch (err) {
    await db.query('rollback').catch(() => {});
    throw err;
  } finally {
    await db.end();
  }
}

const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;

/** The i-th need of the mix (deterministic, so runs compare; times from `now`). */
function needOf(i: number, now: number): Record<string, unknown> {
  const [, lat, lng] = pick(PLACES, i * 3);
  const start = Math.ceil((now + (i % 4) * DAY / 2) / 1_800_000) * 1_800_000;
  const days = pick([1, 3, 7, 14, 28], i);
  const what = i % 3 === 2 ? { category: pick(SERVICES, i)[1] } : { q: pick(WORDS, i) };
  return {
    ...what,
    near: { lat, lng, radiusKm: pick([10, 25, 50], i) },
    window: { from: new Date(start).toISOString(), to: new Date(Math.min(start + days * DAY, now + 28 * DAY)).toISOString() },
    ...(i % 4 === 3 ? { budgetCents: 15_000 } : {}),
  };
}

export async function matchScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { http, target, opts } = ctx;
  if (!target.databaseUrl) throw new Error('the match scenario seeds the target database: run it on own servers or give --database-url');
  const t0 = Date.now();
  await seedMatchCatalog(target.databaseUrl, target.admin.email);
  progress(`match: seeded ${MATCH_WORKSHOPS} workshops × ${MATCH_DAYS} days (${MATCH_WORKSHOPS * 20 * MATCH_DAYS} slots) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const problems: string[] = [];
  let answered = 0;
  let options = 0;
  const run = async (i: number, lat: Samples) => {
    const body = needOf(i, Date.now());
    const r = await http.call('POST', '/api/match', { body });
    if (r.status !== 200) {
      if (problems.length < 5) problems.push(`${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      return;
    }
    lat.add(r.ms);
    answered++;
    const list = r.body.options as Array<{ score: number; run: { startsAt: string } }>;
    options += list.length;
    const from = Date.parse(r.body.window.from);
    const to = Date.parse(r.body.window.to);
    if (list.some((o, k) => k > 0 && o.score > list[k - 1]!.score)) problems.push(`${JSON.stringify(body)}: not in score order`);
    if (list.some((o) => Date.parse(o.run.startsAt) < from || Date.parse(o.run.startsAt) >= to)) problems.push(`${JSON.stringify(body)}: a run outside the window`);
  };

  // Warm-up, not counted: plans, pools, and the first read of each workshop's counters into Redis.
  const warm = new Samples();
  for (let i = 0; i < 60; i++) await run(i, warm);

  // One at a time: no queueing, so this is server time plus one loopback round trip.
  const serial = new Samples();
  const serialStart = Date.now();
  for (let i = 0; Date.now() - serialStart < Math.min(opts.durationSec, 10) * 1000 && i < 2000; i++) await run(i, serial);

  // Then concurrent clients, measured by the servers' own histogram too.
  const workers = Math.min(opts.concurrency, 8);
  const loaded = new Samples();
  const before = await scrapeHistograms(target.urls);
  const loop = await closedLoop(workers, opts.durationSec, async (_w, i) => run(i, loaded));
  const server = histogramDelta(before, await scrapeHistograms(target.urls), ['POST /api/match'])['POST /api/match'] ?? null;

  return {
    scenario: 'match',
    correct: problems.length === 0 && answered > 0 && options > 0,
    doubleBookings: null,
    workshops: MATCH_WORKSHOPS,
    days: MATCH_DAYS,
    slots: MATCH_WORKSHOPS * 20 * MATCH_DAYS,
    optionsPerAnswer: answered ? round2(options / answered) : 0,
    oneAtATimeMs: serial.summary(),
    target: p95Target(serial.summary().p95),
    concurrent: { workers, perSec: round2(loaded.count / (loop.elapsedMs / 1000)), latencyMs: loaded.summary() },
    serverSideLoadedMs: server,
    problems,
  };
}
