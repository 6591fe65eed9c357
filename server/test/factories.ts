import { hashPassword } from '../auth/password';
import type { RunningServer } from '../runtime';
import { expectStatus, typedClient, uniqueEmail, type ApiClient } from './harness';

export interface Account {
  id: string;
  email: string;
  token: string;
  role: 'customer' | 'vendor' | 'admin';
}

const PASSWORD = 'correct-horse-battery';

/*
 * Through the typed client (shared/api/client.ts): the fixtures' paths, bodies and answers are
 * checked against the contract at compile time.
 */

/** Registers a customer or vendor through the public API. */
export async function register(api: ApiClient, role: 'customer' | 'vendor', name = `Test ${role}`): Promise<Account> {
  const email = uniqueEmail(role);
  const res = expectStatus(await typedClient(api.baseUrl).POST('/api/v1/auth/register', { body: { email, password: PASSWORD, name, role } }), 201);
  return { id: res.user.id, email, token: res.token, role };
}

/** Admins are never self-registered: create one in the store, then log in through the API. */
export async function createAdmin(server: RunningServer, api: ApiClient): Promise<Account> {
  const email = uniqueEmail('admin');
  await server.services.stores.users.create({ email, name: 'Test admin', role: 'admin', passwordHash: await hashPassword(PASSWORD) });
  const res = expectStatus(await typedClient(api.baseUrl).POST('/api/v1/auth/login', { body: { email, password: PASSWORD } }), 200);
  return { id: res.user.id, email, token: res.token, role: 'admin' };
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
  const asVendor = typedClient(api.baseUrl, vendor.token);
  const body = {
    name: 'Test Garage',
    city: opts.city ?? 'Leeds',
    address: '1 Test Street',
    timezone: opts.timezone ?? 'Europe/London',
    bays: opts.bays ?? 2,
    autoAccept: opts.autoAccept ?? false,
    holdTtlSeconds: opts.holdTtlSeconds ?? 120,
  };
  const { workshop } = expectStatus(await asVendor.POST('/api/v1/workshops', { body }), 201);
  const path = { params: { path: { id: workshop.id } } };
  expectStatus(await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: ALL_WEEK }), 200);
  const serviceBody = { name: 'Oil change', category: 'maintenance' as const, durationMinutes: opts.durationMinutes ?? 30, basePriceCents: 4999, currency: 'GBP' };
  const { service } = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: serviceBody }), 201);
  expectStatus(await typedClient(api.baseUrl, admin.token).POST('/api/v1/admin/workshops/{id}/verify', path), 200);
  return { vendor, admin, workshop, service };
}
