import { expect } from 'vitest';
import { hashPassword } from '../auth/password';
import type { RunningServer } from '../runtime';
import { uniqueEmail, type ApiClient } from './harness';

export interface Account {
  id: string;
  email: string;
  token: string;
  role: 'customer' | 'vendor' | 'admin';
}

const PASSWORD = 'correct-horse-battery';

/** Registers a customer or vendor through the public API. */
export async function register(api: ApiClient, role: 'customer' | 'vendor', name = `Test ${role}`): Promise<Account> {
  const email = uniqueEmail(role);
  const res = await api.post('/api/auth/register', { email, password: PASSWORD, name, role });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.user.id, email, token: res.body.token, role };
}

/** Admins are never self-registered: create one in the store, then log in through the API. */
export async function createAdmin(server: RunningServer, api: ApiClient): Promise<Account> {
  const email = uniqueEmail('admin');
  await server.services.stores.users.create({ email, name: 'Test admin', role: 'admin', passwordHash: await hashPassword(PASSWORD) });
  const res = await api.post('/api/auth/login', { email, password: PASSWORD });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, email, token: res.body.token, role: 'admin' };
}

export const ALL_WEEK = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '08:00', closes: '18:00' }));

/** A vendor with a workshop (hours every day 08–18, one service), verified by an admin. */
export async function verifiedWorkshop(
  server: RunningServer,
  api: ApiClient,
  opts: { bays?: number; timezone?: string; durationMinutes?: number; autoAccept?: boolean; holdTtlSeconds?: number; city?: string } = {},
) {
  const vendor = await register(api, 'vendor');
  const admin = await createAdmin(server, api);
  const created = await api.post(
    '/api/workshops',
    {
      name: 'Test Garage',
      city: opts.city ?? 'Leeds',
      address: '1 Test Street',
      timezone: opts.timezone ?? 'Europe/London',
      bays: opts.bays ?? 2,
      autoAccept: opts.autoAccept ?? false,
      holdTtlSeconds: opts.holdTtlSeconds ?? 120,
    },
    vendor.token,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const workshop = created.body.workshop;
  expect((await api.put(`/api/workshops/${workshop.id}/hours`, ALL_WEEK, vendor.token)).status).toBe(200);
  const svc = await api.post(
    `/api/workshops/${workshop.id}/services`,
    { name: 'Oil change', category: 'maintenance', durationMinutes: opts.durationMinutes ?? 30, basePriceCents: 4999, currency: 'GBP' },
    vendor.token,
  );
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);
  expect((await api.post(`/api/admin/workshops/${workshop.id}/verify`, undefined, admin.token)).status).toBe(200);
  return { vendor, admin, workshop, service: svc.body.service };
}
