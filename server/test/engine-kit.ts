import { expect } from 'vitest';
import type { Principal } from '../domain/actor';
import type { Clock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { holdIndexKey, workshopKeys } from '../redis/hold-keys';
import type { SlotCounts } from '../redis/hold-store.types';
import { startServer, type RunningServer } from '../runtime';
import { ALL_WEEK, type Account } from './factories';
import { apiClient, ownPrefix, testEnv, uniqueEmail, type ApiClient } from './harness';

/*
 * Helpers for the booking-engine tests. Every server started here gets its own Redis key
 * prefix under this run's prefix: the hold sweeper's due set is global per prefix, so a
 * manual clock moved hours ahead would otherwise sweep other test files' holds.
 */

export interface EngineServer {
  server: RunningServer;
  api: ApiClient;
  prefix: string;
}

/** A server with its own Redis prefix; no background sweepers unless `sweepers: true` (see harness.ts). */
export async function startEngineServer(
  opts: { clock?: Clock; sweepers?: boolean | 'holds'; env?: Record<string, string>; prefix?: string } = {},
): Promise<EngineServer> {
  const prefix = opts.prefix ?? ownPrefix('e');
  const server = await startServer(testEnv({ REDIS_PREFIX: prefix, ...opts.env }), { migrate: false, clock: opts.clock, sweepers: opts.sweepers ?? false });
  return { server, api: apiClient(server.url), prefix };
}

/**
 * Accounts created straight in the store, signed in through the server's own sessions:
 * registering 200 customers through scrypt would cost seconds on two cores.
 */
export async function quickAccounts(server: RunningServer, n: number, role: Account['role'] = 'customer'): Promise<Account[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const email = uniqueEmail(role);
      const user = await server.services.stores.users.create({ email, name: `${role} ${i}`, role, passwordHash: 'scrypt$not-a-login' });
      if (!user) throw new Error('quickAccounts: email taken');
      return { id: user.id, email, role, token: (await server.guard.signIn({ id: user.id, role })).token };
    }),
  );
}

export const principal = (a: Account): Principal => ({ id: a.id, role: a.role });

export interface ServiceSpec {
  durationMinutes: number;
  name?: string;
  options?: { skillTiers?: Array<{ id: string; label: string; multiplier: number }>; urgency?: Array<{ id: string; label: string; multiplier: number }> };
}

/** A verified workshop (hours 08–18 every day, 30-minute slots) with the listed services, made through the API. */
export async function quickWorkshop(
  es: EngineServer,
  opts: { bays?: number; autoAccept?: boolean; holdTtlSeconds?: number; acceptSlaMinutes?: number; services?: ServiceSpec[] } = {},
) {
  const { api, server } = es;
  const [vendor] = await quickAccounts(server, 1, 'vendor');
  const [admin] = await quickAccounts(server, 1, 'admin');
  const created = await api.post(
    '/api/workshops',
    {
      name: 'Engine Garage',
      city: 'Leeds',
      address: '1 Test Street',
      timezone: 'Europe/London',
      bays: opts.bays ?? 2,
      autoAccept: opts.autoAccept ?? false,
      holdTtlSeconds: opts.holdTtlSeconds ?? 120,
      ...(opts.acceptSlaMinutes ? { acceptSlaMinutes: opts.acceptSlaMinutes } : {}),
    },
    vendor!.token,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const workshop = created.body.workshop as { id: string };
  expect((await api.put(`/api/workshops/${workshop.id}/hours`, ALL_WEEK, vendor!.token)).status).toBe(200);
  const services: Array<{ id: string; durationMinutes: number }> = [];
  for (const [i, spec] of (opts.services ?? [{ durationMinutes: 30 }]).entries()) {
    const svc = await api.post(
      `/api/workshops/${workshop.id}/services`,
      { name: spec.name ?? `Service ${i}`, category: 'maintenance', durationMinutes: spec.durationMinutes, basePriceCents: 5000, currency: 'GBP', ...(spec.options ? { options: spec.options } : {}) },
      vendor!.token,
    );
    expect(svc.status, JSON.stringify(svc.body)).toBe(201);
    services.push(svc.body.service);
  }
  expect((await api.post(`/api/admin/workshops/${workshop.id}/verify`, undefined, admin!.token)).status).toBe(200);
  return { workshop, services, service: services[0]!, vendor: vendor!, admin: admin! };
}

const DAY = 86_400_000;

/**
 * The slots of one whole local day at least `daysAhead` days after the server clock's now,
 * opening slot first (so a run of consecutive slots from index 0 never crosses into the previous day).
 */
export async function dayOfSlots(server: RunningServer, workshopId: string, now: number, daysAhead = 2): Promise<SlotRow[]> {
  const rows = await server.services.stores.slots.list(workshopId, new Date(now + daysAhead * DAY), new Date(now + (daysAhead + 3) * DAY));
  const opening = rows.findIndex((s, i) => i > 0 && rows[i - 1]!.endsAt.getTime() !== s.startsAt.getTime());
  expect(opening, 'a day opening within the window').toBeGreaterThan(0);
  const day: SlotRow[] = [rows[opening]!];
  for (let i = opening + 1; i < rows.length && rows[i]!.startsAt.getTime() === rows[i - 1]!.endsAt.getTime(); i++) day.push(rows[i]!);
  return day;
}

/** Postgres's view of slots (capacity, booked), keyed by id. */
export async function pgSlots(server: RunningServer, ids: string[]): Promise<Map<string, { capacity: number; booked: number }>> {
  const rows = await server.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ id: string; capacity: number; booked: number }>>('select id, capacity, booked from slot where id in (?)', [ids]);
  return new Map(rows.map((r) => [r.id, { capacity: Number(r.capacity), booked: Number(r.booked) }]));
}

/**
 * Redis's counters for these slots as stored (read raw, so a drifted counter is seen, not repaired);
 * slots Redis has no counters for yet are seeded from Postgres first. Keyed by id.
 */
export async function redisSlots(server: RunningServer, workshopId: string, ids: string[]): Promise<Map<string, SlotCounts>> {
  const key = workshopKeys(server.env.REDIS_PREFIX, workshopId).slots;
  const absent = [];
  for (const id of ids) if (!(await server.redis.hexists(key, `c:${id}`))) absent.push(id);
  if (absent.length) {
    const pg = await pgSlots(server, absent);
    await server.holdStore.snapshot(workshopId, absent.map((id) => ({ slotId: id, capacity: pg.get(id)!.capacity, booked: pg.get(id)!.booked })));
  }
  const out = new Map<string, SlotCounts>();
  for (const id of ids) {
    const [c, b, h] = (await server.redis.hmget(key, `c:${id}`, `b:${id}`, `h:${id}`)).map((v) => Number(v ?? 0));
    out.set(id, { id, capacity: c!, booked: b!, held: h!, free: Math.max(0, c! - b! - h!) });
  }
  return out;
}

/** Bookings that keep their unit on each slot (all but declined, cancelled and expired: those give it back). */
export async function liveBookingsOn(server: RunningServer, ids: string[]): Promise<Map<string, number>> {
  const rows = await server.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ slot_id: string; n: string }>>(
      `select bs.slot_id, count(*) as n from booking_slot bs join booking b on b.id = bs.booking_id
       where bs.slot_id in (?) and b.status not in ('declined', 'cancelled', 'expired') group by bs.slot_id`,
      [ids],
    );
  const m = new Map(ids.map((id) => [id, 0]));
  for (const r of rows) m.set(r.slot_id, Number(r.n));
  return m;
}

/**
 * The capacity invariants for each slot: Postgres 0 ≤ booked ≤ capacity and booked = bookings keeping a unit;
 * Redis agrees with Postgres on capacity and booked, and free + held + booked = capacity.
 */
export async function expectSlotInvariants(server: RunningServer, workshopId: string, ids: string[], label = '') {
  const pg = await pgSlots(server, ids);
  const live = await liveBookingsOn(server, ids);
  const rs = await redisSlots(server, workshopId, ids);
  for (const id of ids) {
    const p = pg.get(id)!;
    const r = rs.get(id)!;
    const where = `${label} slot ${id}: pg=${JSON.stringify(p)} redis=${JSON.stringify(r)} live=${live.get(id)}`;
    expect(p.booked, where).toBeGreaterThanOrEqual(0);
    expect(p.booked, where).toBeLessThanOrEqual(p.capacity);
    expect(p.booked, where).toBe(live.get(id));
    expect(r.capacity, where).toBe(p.capacity);
    expect(r.booked, where).toBe(p.booked);
    expect(r.free + r.held + r.booked, where).toBe(r.capacity);
  }
  return { pg, redis: rs };
}

/** Deletes one workshop's Redis keys (and the given holds' index keys), as a Redis restart would. Never FLUSHALL. */
export async function dropWorkshopKeys(es: EngineServer, workshopId: string, holdIds: string[]) {
  const k = workshopKeys(es.prefix, workshopId);
  await es.server.redis.del(k.slots, k.meta, k.expiry, k.ledger, ...holdIds.map((h) => k.hold(h)), ...holdIds.map((h) => holdIndexKey(es.prefix, h)));
}

/** Fires every request at once and waits for all of them. */
export const together = <T>(fns: Array<() => Promise<T>>) => Promise.all(fns.map((f) => f()));

/** Counts values by key. */
export function tally<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

type QuickWorkshop = Awaited<ReturnType<typeof quickWorkshop>>;

/** Holds `slotId` for `who` through the API (201 expected); returns the hold id. */
export async function holdAs(es: EngineServer, w: QuickWorkshop, who: Account, slotId: string, serviceId = w.service.id): Promise<string> {
  const h = await es.api.post('/api/holds', { workshopId: w.workshop.id, serviceId, slotId }, who.token);
  expect(h.status, JSON.stringify(h.body)).toBe(201);
  return h.body.hold.id as string;
}

/** Holds and confirms `slotId` for `who` through the API (201 expected); returns the booking. */
export async function bookAs(es: EngineServer, w: QuickWorkshop, who: Account, slotId: string, serviceId = w.service.id) {
  const b = await es.api.post('/api/bookings', { holdId: await holdAs(es, w, who, slotId, serviceId) }, who.token);
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  return b.body.booking as { id: string; status: string; slotIds: string[]; version: number; startsAt: string };
}
