import { randomBytes } from 'node:crypto';
import type { SlotView } from '@shared/availability';
import { expectStatus, inBatches, type Http } from './http';
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
  const r = await http.post('/api/auth/login', credentials);
  expectStatus(r, 200, `login ${credentials.email}`);
  return { id: r.body.user.id, email: credentials.email, token: r.body.token };
}

export async function register(http: Http, role: 'customer' | 'vendor'): Promise<Account> {
  const e = email(role === 'customer' ? 'bench-customer' : 'bench-vendor');
  const r = await http.post('/api/auth/register', { email: e, password: PASSWORD, name: `Bench ${role} ${seq}`, role });
  expectStatus(r, 201, `register ${role}`);
  return { id: r.body.user.id, email: e, token: r.body.token };
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
  const r = await http.get(`/api/workshops/${workshopId}/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  expectStatus(r, 200, 'availability');
  return r.body.slots as Slot[];
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
  const list = await inBatches(Array.from({ length: n }), opts.parallel ?? 4, async (_, i) => {
    const created = await http.post(
      '/api/workshops',
      {
        name: `Bench Garage ${run} ${i}`,
        city: opts.city ?? 'Benchton',
        address: `${i} Load Street`,
        timezone: 'Europe/London',
        bays,
        autoAccept: true,
        holdTtlSeconds: opts.holdTtlSeconds ?? 300,
      },
      vendor.token,
    );
    expectStatus(created, 201, 'create workshop');
    const id = created.body.workshop.id as string;
    expectStatus(await http.put(`/api/workshops/${id}/hours`, BENCH_HOURS, vendor.token), 200, 'hours');
    const svc = await http.post(
      `/api/workshops/${id}/services`,
      { name: 'Oil change', category: 'maintenance', durationMinutes: 30, basePriceCents: 4999, currency: 'GBP' },
      vendor.token,
    );
    expectStatus(svc, 201, 'service');
    expectStatus(await http.post(`/api/admin/workshops/${id}/verify`, undefined, admin.token), 200, 'verify');
    const slots = await listSlots(http, id);
    // Skip the next two hours: a slot that starts during the run cannot be held.
    const later = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 2 * 3_600_000);
    return { id, serviceId: svc.body.service.id as string, bays, slots: later };
  });
  progress(`created ${n} workshops (${list.reduce((a, w) => a + w.slots.length, 0)} slots) in ${Date.now() - t0} ms`);
  return list;
}
