import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { createAdmin, register, verifiedWorkshop, type Account } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

let server: RunningServer;
let api: ApiClient;
let who: Record<'anon' | 'customer' | 'vendorA' | 'vendorB' | 'admin', Account | null>;
let wsA: string;
let svcA: string;

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.url);
  const a = await verifiedWorkshop(server, api);
  const b = await verifiedWorkshop(server, api);
  wsA = a.workshop.id;
  svcA = a.service.id;
  who = { anon: null, customer: await register(api, 'customer'), vendorA: a.vendor, vendorB: b.vendor, admin: await createAdmin(server, api) };
});
afterAll(() => server?.close());

type Who = keyof typeof who;
interface Case {
  name: string;
  call: () => [method: string, path: string, body?: unknown];
  expect: Record<Who, number>;
}

const hours = [{ weekday: 1, opens: '08:00', closes: '17:00' }];
const service = { name: 'Brake check', category: 'brakes', durationMinutes: 60, basePriceCents: 3000, currency: 'GBP' };
const newWorkshop = { name: 'New Garage', city: 'York', address: '2 Road', timezone: 'Europe/London', bays: 2 };

// 401 anonymous, 403 wrong role or not the owner, 2xx allowed. Vendor B on vendor A's workshop is always 403.
const cases: Case[] = [
  { name: 'GET /api/me', call: () => ['GET', '/api/me'], expect: { anon: 401, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops', call: () => ['GET', '/api/workshops'], expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops/:id', call: () => ['GET', `/api/workshops/${wsA}`], expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops/:id/reviews', call: () => ['GET', `/api/workshops/${wsA}/reviews`], expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'POST /api/workshops', call: () => ['POST', '/api/workshops', newWorkshop], expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 201, admin: 403 } },
  { name: 'GET /api/vendor/workshops', call: () => ['GET', '/api/vendor/workshops'], expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 200, admin: 403 } },
  { name: 'PATCH /api/workshops/:id', call: () => ['PATCH', `/api/workshops/${wsA}`, { holdTtlSeconds: 90 }], expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 } },
  { name: 'PUT /api/workshops/:id/hours', call: () => ['PUT', `/api/workshops/${wsA}/hours`, hours], expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 } },
  { name: 'POST /api/workshops/:id/services', call: () => ['POST', `/api/workshops/${wsA}/services`, service], expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 403, admin: 403 } },
  { name: 'PATCH /api/workshops/:id/services/:sid', call: () => ['PATCH', `/api/workshops/${wsA}/services/${svcA}`, { basePriceCents: 5100 }], expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 } },
  { name: 'POST /api/workshops/:id/closures', call: () => ['POST', `/api/workshops/${wsA}/closures`, { date: `2031-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}` }], expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 403, admin: 403 } },
  { name: 'GET /api/admin/workshops', call: () => ['GET', '/api/admin/workshops'], expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
  { name: 'POST /api/admin/workshops/:id/verify', call: () => ['POST', `/api/admin/workshops/${wsA}/verify`], expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
];

describe('role table: every (role, route) answers as expected', () => {
  for (const c of cases) {
    for (const role of Object.keys(c.expect) as Who[]) {
      it(`${c.name} as ${role} → ${c.expect[role]}`, async () => {
        const [method, path, body] = c.call();
        const res = await api.call(method, path, { body, token: who[role]?.token });
        expect(res.status, JSON.stringify(res.body)).toBe(c.expect[role]);
        if (res.status >= 400) expect(res.body.error.code).toBe(res.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      });
    }
  }

  it("vendor B's failed edit did not change vendor A's workshop", async () => {
    await api.patch(`/api/workshops/${wsA}`, { name: 'Hijacked' }, who.vendorB!.token);
    const res = await api.get(`/api/workshops/${wsA}`);
    expect(res.body.workshop.name).toBe('Test Garage');
  });

  it('a suspended workshop disappears from the public and stays visible to its owner', async () => {
    const c = await verifiedWorkshop(server, api);
    expect((await api.post(`/api/admin/workshops/${c.workshop.id}/suspend`, undefined, who.admin!.token)).status).toBe(200);
    expect((await api.get(`/api/workshops/${c.workshop.id}`)).status).toBe(404);
    expect((await api.get(`/api/workshops/${c.workshop.id}`, c.vendor.token)).status).toBe(200);
    expect((await api.get(`/api/workshops/${c.workshop.id}`, who.vendorB!.token)).status).toBe(404);
  });
});
