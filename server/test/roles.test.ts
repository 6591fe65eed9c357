import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { createAdmin, register, verifiedWorkshop, type Account } from './fixtures';
import type { HoldfastClient } from '@shared/api/client';
import type { ApiErrorBody } from '@shared/errors';
import { apiClient, expectStatus, startTestServer, typedClient, type ApiClient } from './harness';

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
  call: (as: HoldfastClient) => Promise<{ response: Response; data?: unknown; error?: unknown }>;
  expect: Record<Who, number>;
}

const hours = [{ weekday: 1, opens: '08:00', closes: '17:00' }];
const service = { name: 'Brake check', category: 'brakes' as const, durationMinutes: 60, basePriceCents: 3000, currency: 'GBP' };
const newWorkshop = { name: 'New Garage', city: 'York', address: '2 Road', timezone: 'Europe/London', bays: 2 };
const onA = () => ({ params: { path: { id: wsA } } });

// 401 anonymous, 403 wrong role or not the owner, 2xx allowed. Vendor B on vendor A's workshop is always 403.
const cases: Case[] = [
  { name: 'GET /api/me', call: (c) => c.GET('/api/v1/me'), expect: { anon: 401, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops', call: (c) => c.GET('/api/v1/workshops'), expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops/:id', call: (c) => c.GET('/api/v1/workshops/{id}', onA()), expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'GET /api/workshops/:id/reviews', call: (c) => c.GET('/api/v1/workshops/{id}/reviews', onA()), expect: { anon: 200, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'POST /api/workshops', call: (c) => c.POST('/api/v1/workshops', { body: newWorkshop }), expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 201, admin: 403 } },
  { name: 'GET /api/vendor/workshops', call: (c) => c.GET('/api/v1/vendor/workshops'), expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 200, admin: 403 } },
  { name: 'PATCH /api/workshops/:id', call: (c) => c.PATCH('/api/v1/workshops/{id}', { ...onA(), body: { holdTtlSeconds: 90 } }), expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 } },
  { name: 'PUT /api/workshops/:id/hours', call: (c) => c.PUT('/api/v1/workshops/{id}/hours', { ...onA(), body: hours }), expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 } },
  { name: 'POST /api/workshops/:id/services', call: (c) => c.POST('/api/v1/workshops/{id}/services', { ...onA(), body: service }), expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 403, admin: 403 } },
  {
    name: 'PATCH /api/workshops/:id/services/:sid',
    call: (c) => c.PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: wsA, serviceId: svcA } }, body: { basePriceCents: 5100 } }),
    expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 403 },
  },
  {
    name: 'POST /api/workshops/:id/closures',
    call: (c) => c.POST('/api/v1/workshops/{id}/closures', { ...onA(), body: { date: `2031-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}` } }),
    expect: { anon: 401, customer: 403, vendorA: 201, vendorB: 403, admin: 403 },
  },
  { name: 'GET /api/admin/workshops', call: (c) => c.GET('/api/v1/admin/workshops'), expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
  { name: 'GET /api/workshops/:id/verification', call: (c) => c.GET('/api/v1/workshops/{id}/verification', onA()), expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 200 } },
  { name: 'GET /api/workshops/:id/quality', call: (c) => c.GET('/api/v1/workshops/{id}/quality', onA()), expect: { anon: 401, customer: 403, vendorA: 200, vendorB: 403, admin: 200 } },
  { name: 'GET /api/admin/workshops/:id/verifications', call: (c) => c.GET('/api/v1/admin/workshops/{id}/verifications', onA()), expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
  { name: 'GET /api/admin/quality/queue', call: (c) => c.GET('/api/v1/admin/quality/queue'), expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
  { name: 'PATCH /api/me', call: (c) => c.PATCH('/api/v1/me', { body: { phone: '+44 7700 900123' } }), expect: { anon: 401, customer: 200, vendorA: 200, vendorB: 200, admin: 200 } },
  { name: 'POST /api/workshops/:id/review-request (not the owner)', call: (c) => c.POST('/api/v1/workshops/{id}/review-request', onA()), expect: { anon: 401, customer: 403, vendorA: 409, vendorB: 403, admin: 403 } },
  { name: 'POST /api/admin/workshops/:id/return', call: (c) => c.POST('/api/v1/admin/workshops/{id}/return', { ...onA(), body: { reason: 'Add your insurance details' } }), expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 409 } },
  { name: 'POST /api/admin/workshops/:id/verify', call: (c) => c.POST('/api/v1/admin/workshops/{id}/verify', onA()), expect: { anon: 401, customer: 403, vendorA: 403, vendorB: 403, admin: 200 } },
];

describe('role table: every (role, route) answers as expected', () => {
  for (const c of cases) {
    for (const role of Object.keys(c.expect) as Who[]) {
      it(`${c.name} as ${role} → ${c.expect[role]}`, async () => {
        const res = await c.call(typedClient(server.url, who[role]?.token));
        expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(c.expect[role]);
        const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 409: 'CONFLICT' }[res.response.status];
        if (res.response.status >= 400) expect((res.error as ApiErrorBody).error.code).toBe(code);
      });
    }
  }

  it("vendor B's failed edit did not change vendor A's workshop", async () => {
    await typedClient(server.url, who.vendorB!.token).PATCH('/api/v1/workshops/{id}', { ...onA(), body: { name: 'Hijacked' } });
    const res = expectStatus(await typedClient(server.url).GET('/api/v1/workshops/{id}', onA()), 200);
    expect(res.workshop.name).toBe('Test Garage');
  });

  it('a suspended workshop disappears from the public and stays visible to its owner', async () => {
    const c = await verifiedWorkshop(server, api);
    const path = { params: { path: { id: c.workshop.id } } };
    expect((await typedClient(server.url, who.admin!.token).POST('/api/v1/admin/workshops/{id}/suspend', path)).response.status).toBe(200);
    expect((await typedClient(server.url).GET('/api/v1/workshops/{id}', path)).response.status).toBe(404);
    expect((await typedClient(server.url, c.vendor.token).GET('/api/v1/workshops/{id}', path)).response.status).toBe(200);
    expect((await typedClient(server.url, who.vendorB!.token).GET('/api/v1/workshops/{id}', path)).response.status).toBe(404);
  });
});
