import { randomBytes } from 'node:crypto';
import type { SlotView } from '@shared/availability';
import { expectOk, inBatches, type Http } from './http';
import { progress } from './log';

export interface Account {
  id: string;
  email: string;
  token: string;
}

/** A slot as the availability API returns it (the shared contract). */
export type Slot = SlotView;

export interface BenchWorkshop {
  id: string;
  serviceId: string;
  bays: number;
  /** Future slots (the whole horizon), as listed when the fixture was made. */
  slots: Slot[];
}

const PASSWORD = 'bench-password-123';
const run = randomBytes(3).toString('hex');
let seq = 0;
const email = (tag: string) => `${tag}-${run}-${++seq}@bench.holdfast`;

/** Open every day, almost all day: many slots per workshop, so long runs never run out. */
export const BENCH_HOURS = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '00:00', closes: '23:30' }));

export async function login(http: Http, credentials: { email: string; password: string }): Promise<Account> {
  const r = expectOk(await http.typed().POST('/api/v1/auth/login', { body: credentials }), 200, `login ${credentials.email}`);
  return { id: r.user.id, email: credentials.email, token: r.token };
}

export async function register(http: Http, role: 'customer' | 'vendor'): Promise<Account> {
  const e = email(role === 'customer' ? 'bench-customer' : 'bench-vendor');
  const body = { email: e, password: PASSWORD, name: `Bench ${role} ${seq}`, role };
  const r = expectOk(await http.typed().POST('/api/v1/auth/register', { body }), 201, `register ${role}`);
  return { id: r.user.id, email: e, token: r.token };
}

/** Registers customers in parallel batches (registration hashes a password: ~50 ms of CPU each). */
export async function registerCustomers(http: Http, n: number, parallel = 16): Promise<Account[]> {
  const t0 = Date.now();
  const out = await inBatches(Array.from({ length: n }), parallel, () => register(http, 'customer'));
  progress(`registered ${n} customers in ${Date.now() - t0} ms`);
  return out;
}

/** Every future slot of a workshop (up to the 35-day window limit). */
export async function listSlots(http: Http, workshopId: string): Promise<Slot[]> {
  const from = new Date(Date.now() + 60_000).toISOString();
  const to = new Date(Date.now() + 34 * 86_400_000).toISOString();
  const r = await http.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshopId }, query: { from, to } } });
  return expectOk(r, 200, 'availability').slots;
}

/** Verified workshops with one 30-minute service each, created through the public API. */
export async function createWorkshops(
  http: Http,
  admin: Account,
  n: number,
  opts: { bays?: number; holdTtlSeconds?: number; parallel?: number; city?: string } = {},
): Promise<BenchWorkshop[]> {
  const t0 = Date.now();
  const vendor = await register(http, 'vendor');
  const bays = opts.bays ?? 10;
  const asVendor = http.typed(vendor.token);
  const list = await inBatches(Array.from({ length: n }), opts.parallel ?? 4, async (_, i) => {
    const body = {
      name: `Bench Garage ${run} ${i}`,
      city: opts.city ?? 'Benchton',
      address: `${i} Load Street`,
      timezone: 'Europe/London',
      bays,
      autoAccept: true,
      holdTtlSeconds: opts.holdTtlSeconds ?? 300,
    };
    const { id } = expectOk(await asVendor.POST('/api/v1/workshops', { body }), 201, 'create workshop').workshop;
    const path = { params: { path: { id } } };
    expectOk(await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: BENCH_HOURS }), 200, 'hours');
    const service = { name: 'Oil change', category: 'maintenance' as const, durationMinutes: 30, basePriceCents: 4999, currency: 'GBP' };
    const svc = expectOk(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: service }), 201, 'service').service;
    expectOk(await http.typed(admin.token).POST('/api/v1/admin/workshops/{id}/verify', path), 200, 'verify');
    const slots = await listSlots(http, id);
    // Skip the next two hours: a slot that starts during the run cannot be held.
    const later = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 2 * 3_600_000);
    return { id, serviceId: svc.id, bays, slots: later };
  });
  progress(`created ${n} workshops (${list.reduce((a, w) => a + w.slots.length, 0)} slots) in ${Date.now() - t0} ms`);
  return list;
}
