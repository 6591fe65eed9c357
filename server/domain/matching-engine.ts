import { MATCH_DEFAULT_LIMIT, type MatchNeed, type MatchResult, type MatchWeights, type MatchWeightsView } from '@shared/schemas/match';
import type { SavedVehicleView } from '@shared/schemas/vehicle';
import { priceFor, type OptionChoice } from '@shared/service-options';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden } from './errors';
import { firstFreeRun, matchWindow, rankOptions, type RunSlot, type ScoreInput } from './matching';
import type { MatchCandidate, MatchSlotRow, MatchStore } from './matching-ports';
import { localDayOf } from './slot-generation';
import { vehicleRefusal } from './vehicle-constraints';
import { searchTerms } from './workshop-search';

/*
 * The live matching engine (`POST /api/match`): candidates from Postgres (radius, words or
 * category, a slot Postgres does not count as full in the window, a base price that could fit the
 * budget), the garage vehicle checked against each service's constraints, the price with the
 * need's options, then the candidates' slot times (one query) and each workshop's LIVE counts
 * (LiveCounts.snapshot: the Redis counters, holds included, as every availability read) for the
 * first slot run that fits the job, the workshops' track records, and the pure scoring of matching.ts.
 */

/** (workshop, service) pairs read from Postgres at most: the nearest ones. */
export const MATCH_MAX_CANDIDATES = 60;
/** Live counts are read for this first stretch of the window first; the rest only for workshops with no run in it. */
const FIRST_PASS_MS = 2 * 86_400_000;
/** Track records cover this far back. */
const RECORD_DAYS = 180;
/** How long a process reuses the weights it read (an admin's change reaches every process within this). */
const WEIGHTS_CACHE_MS = 1000;
/** The lowest skill-tier multiplier a service may set (shared/service-options.ts): no option makes a price lower than base × this. */
const LOWEST_MULTIPLIER = 0.5;

export function createMatching(deps: {
  store: MatchStore;
  clock: Clock;
  /** Units free now per slot id, from the live store (LiveCounts.snapshot: Redis counters, holds included; seeded and repaired from these rows). */
  liveCounts: (workshopId: string, rows: MatchSlotRow[]) => Promise<Map<string, number>>;
  /** The caller's garage vehicle, NOT_FOUND when it is not theirs (vehicles.get). */
  vehicleOf: (customer: Principal, vehicleId: string) => Promise<SavedVehicleView>;
}) {
  let cached: { at: number; view: Promise<MatchWeightsView> } | null = null;

  function weights(): Promise<MatchWeightsView> {
    const t = performance.now();
    if (!cached || t - cached.at > WEIGHTS_CACHE_MS) {
      const view = deps.store.weights();
      cached = { at: t, view };
      view.catch(() => { if (cached?.view === view) cached = null; });
    }
    return cached.view;
  }

  /** The options a service can apply: the need's choice where it offers it (urgency "today only" only for runs today). */
  function optionsFor(c: MatchCandidate, want: OptionChoice, runDay: () => string, today: () => string): OptionChoice {
    const out: OptionChoice = {};
    if (want.skillTier && c.options.skillTiers.some((o) => o.id === want.skillTier)) out.skillTier = want.skillTier;
    const urgency = want.urgency ? c.options.urgency.find((o) => o.id === want.urgency) : undefined;
    if (urgency && (!urgency.todayOnly || runDay() === today())) out.urgency = urgency.id;
    return out;
  }

  async function vehicleFor(viewer: Principal | null, vehicleId: string | undefined) {
    if (!vehicleId) return null;
    if (!viewer) throw new DomainError('UNAUTHENTICATED', 'Sign in to match for a vehicle from your garage');
    if (viewer.role !== 'customer') throw forbidden('Only customers have a garage');
    return deps.vehicleOf(viewer, vehicleId);
  }

  return {
    weights,

    async saveWeights(actor: Principal, w: MatchWeights): Promise<MatchWeightsView> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can set the matching weights');
      const view = await deps.store.saveWeights(w, actor.id);
      cached = null;
      return view;
    },

    async match(viewer: Principal | null, need: MatchNeed): Promise<MatchResult> {
      const now = deps.clock.now();
      const { fromMs, toMs } = matchWindow(need.window.from, need.window.to, now);
      const { terms } = searchTerms(need.q);
      if (need.q !== undefined && terms.length === 0) throw new DomainError('VALIDATION_FAILED', 'Invalid input: q: q has no letters or digits to search for');
      const [vehicle, view] = await Promise.all([vehicleFor(viewer, need.vehicleId), weights()]);
      const radiusM = need.near.radiusKm * 1000;
      const from = new Date(fromMs);
      const to = new Date(toMs);

      const found = await deps.store.candidates({
        terms,
        category: need.category,
        point: { lat: need.near.lat, lng: need.near.lng, radiusM },
        from,
        to,
        maxBaseCents: need.budgetCents === undefined ? undefined : Math.floor(need.budgetCents / LOWEST_MULTIPLIER),
        limit: MATCH_MAX_CANDIDATES,
      });
      const fits = vehicle ? found.filter((c) => !vehicleRefusal(c.vehicleConstraints, vehicle)) : found;

      // Slot times from Postgres for every candidate workshop in one query, counts from the live store (Redis, holds
      // included) per workshop: the window's first two days, then the whole window for workshops with no run there.
      const byWorkshop = new Map<string, MatchCandidate[]>();
      for (const c of fits) byWorkshop.set(c.workshopId, [...(byWorkshop.get(c.workshopId) ?? []), c]);
      const firstEnd = new Date(Math.min(toMs, fromMs + FIRST_PASS_MS));
      const runs = new Map<MatchCandidate, RunSlot[]>();
      const sameDayIn = (tz: string) => (a: RunSlot, b: RunSlot) => localDayOf(new Date(a.startMs), tz) === localDayOf(new Date(b.startMs), tz);
      const findRuns = async (workshopId: string, rows: MatchSlotRow[], cands: MatchCandidate[]) => {
        const ahead = rows.filter((r) => r.startMs > now);
        // A slot Postgres counts as full is not free live either: only the others are asked for.
        const open = ahead.filter((r) => r.booked < r.capacity);
        const live = open.length ? await deps.liveCounts(workshopId, open) : new Map<string, number>();
        const slots = ahead.map((r) => ({ id: r.id, startMs: r.startMs, endMs: r.endMs, free: live.get(r.id) ?? 0 }));
        const missing: MatchCandidate[] = [];
        for (const c of cands) {
          const run = firstFreeRun(slots, c.durationMinutes, sameDayIn(c.timezone));
          if (run) runs.set(c, run);
          else missing.push(c);
        }
        return missing;
      };
      const passes = async (ids: string[], end: Date, only?: Map<string, MatchCandidate[]>) => {
        const rows = await deps.store.slots(ids, from, end);
        const left = new Map<string, MatchCandidate[]>();
        await Promise.all(ids.map(async (id) => {
          const missing = await findRuns(id, rows.get(id) ?? [], (only ?? byWorkshop).get(id)!);
          if (missing.length) left.set(id, missing);
        }));
        return left;
      };
      const ids = [...byWorkshop.keys()];
      const [records] = await Promise.all([
        deps.store.records(ids, new Date(now - RECORD_DAYS * 86_400_000)),
        (async () => {
          const left = await passes(ids, firstEnd);
          if (left.size && firstEnd.getTime() < toMs) await passes([...left.keys()], to, left);
        })(),
      ]);

      const want: OptionChoice = need.options ?? {};
      const todayIn = new Map<string, string>();
      const inputs: Array<ScoreInput & { c: MatchCandidate; run: RunSlot[]; options: OptionChoice }> = [];
      for (const [c, run] of runs) {
        const options = optionsFor(c, want, () => localDayOf(new Date(run[0]!.startMs), c.timezone), () => {
          if (!todayIn.has(c.timezone)) todayIn.set(c.timezone, localDayOf(new Date(now), c.timezone));
          return todayIn.get(c.timezone)!;
        });
        const price = priceFor(c.basePriceCents, c.options, options);
        if (!price.ok) continue;
        if (need.budgetCents !== undefined && price.priceCents > need.budgetCents) continue;
        const record = records.get(c.workshopId);
        inputs.push({
          c, run, options,
          workshopId: c.workshopId,
          serviceId: c.serviceId,
          distanceM: c.distanceM,
          priceCents: price.priceCents,
          currency: c.currency,
          ratingAvg: c.ratingAvg,
          ratingCount: c.ratingCount,
          completionRate: record?.completionRate ?? null,
          responseMinutes: record?.responseMinutes ?? null,
          autoAccept: c.autoAccept,
          startMs: run[0]!.startMs,
        });
      }
      const ranked = rankOptions(inputs, view.weights, { radiusM, fromMs, toMs }).slice(0, need.limit ?? MATCH_DEFAULT_LIMIT);
      return {
        options: ranked.map((o, i) => ({
          rank: i + 1,
          score: o.score,
          workshop: { id: o.c.workshopId, name: o.c.workshopName, city: o.c.city, timezone: o.c.timezone },
          service: { id: o.c.serviceId, name: o.c.serviceName, category: o.c.category, durationMinutes: o.c.durationMinutes },
          run: { slotIds: o.run.map((s) => s.id), startsAt: new Date(o.run[0]!.startMs).toISOString(), endsAt: new Date(o.run[o.run.length - 1]!.endMs).toISOString() },
          price: { cents: o.priceCents, currency: o.currency },
          options: o.options,
          distanceKm: Math.round(o.distanceM / 10) / 100,
          rating: { avg: o.ratingAvg, count: o.ratingCount },
          completionRate: o.completionRate,
          responseMinutes: o.responseMinutes,
          factors: o.factors,
        })),
        considered: found.length,
        window: { from: from.toISOString(), to: to.toISOString() },
        weights: view.weights,
      };
    },
  };
}

export type Matching = ReturnType<typeof createMatching>;
