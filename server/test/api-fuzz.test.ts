import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { createAdmin, register, verifiedWorkshop } from './factories';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * Every route the API documents, hit with hostile input by every kind of caller: path ids
 * that are real, unknown, malformed or absurd; garbage queries; and bodies that are not
 * what the route expects (fixed nasties plus random JSON from fast-check). Whatever the
 * answer, it is never a 5xx, and an error always has the JSON shape {error:{code,message}}.
 */

let server: RunningServer;
let api: ApiClient;
let callers: Array<{ who: string; token?: string }>;
let real: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_LOGIN_PER_MIN: '1000', RATE_LIMIT_REGISTER_PER_HOUR: '100000', RATE_LIMIT_HOLDS_PER_MIN: '100000' });
  api = apiClient(server.url);
  const shop = await verifiedWorkshop(server, api, { bays: 2 });
  const [customer, admin] = await Promise.all([register(api, 'customer'), createAdmin(server, api)]);
  const slot = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots[6];
  const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
  const booking = await api.post('/api/bookings', { holdId: hold.body.hold.id }, customer.token);
  expect(booking.status).toBe(201);
  real = { id: shop.workshop.id, serviceId: shop.service.id, closureId: shop.workshop.id, bookingId: booking.body.booking.id, holdId: hold.body.hold.id };
  callers = [{ who: 'anonymous' }, { who: 'customer', token: customer.token }, { who: 'vendor', token: shop.vendor.token }, { who: 'admin', token: admin.token }];
});
afterAll(() => server?.close());

interface Route {
  method: string;
  path: string;
}

async function documentedRoutes(): Promise<Route[]> {
  const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
}

const ID_VARIANTS = (name: string) => [
  real[name] ?? real.id!,
  '3f1f8d0e-1c2b-4a5d-9e6f-7a8b9c0d1e2f', // well-formed, unknown
  'not-a-uuid',
  '%00',
  'x'.repeat(300),
  '..%2F..%2Fetc%2Fpasswd',
];

const fill = (path: string, pick: (param: string) => string) => path.replace(/\{(\w+)\}/g, (_, p: string) => pick(p));

const NASTY_BODIES: unknown[] = [
  undefined,
  null,
  {},
  [],
  'text',
  42,
  { __proto__: { admin: true }, constructor: { prototype: { x: 1 } } },
  JSON.parse(`${'{"a":'.repeat(64)}[1]${'}'.repeat(64)}`), // deep nesting
  { workshopId: 5, serviceId: [], slotId: {}, holdId: null, email: 1, password: false, weekday: '7', opens: '25:99' },
  [{ weekday: -1, opens: '8', closes: 'x' }],
];

function expectSane(label: string, res: { status: number; body: any }) {
  expect(res.status, `${label} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body?.error?.code, `${label}: error code`).toEqual(expect.any(String));
    expect(res.body?.error?.message, `${label}: error message`).toEqual(expect.any(String));
  }
}

describe('API fuzz: no input makes any route answer 5xx', () => {
  it('documented routes × path ids × callers × nasty bodies', async () => {
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(25);
    let requests = 0;
    for (const route of routes) {
      for (const variant of [0, 1, 2, 3, 4, 5]) {
        const path = fill(route.path, (p) => ID_VARIANTS(p)[variant]!);
        for (const caller of callers) {
          const bodies = route.method === 'GET' || route.method === 'DELETE' ? [undefined] : NASTY_BODIES;
          await Promise.all(
            bodies.map(async (body) => {
              const res = await api.call(route.method, path, { body, token: caller.token });
              requests++;
              expectSane(`${caller.who} ${route.method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`, res);
            }),
          );
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
  }, 120_000);

  it('garbage query strings on every GET', async () => {
    const routes = (await documentedRoutes()).filter((r) => r.method === 'GET');
    const queries = ['from=yesterday&to=1', 'status=bogus&limit=-1', 'limit=1e9&offset=NaN', 'q=%00&city=' + 'x'.repeat(2000), 'from=2026-13-45T99:99:99Z', 'sort=__proto__&category[]=a&category[]=b', 'workshopId=not-a-uuid'];
    for (const route of routes) {
      for (const caller of callers) {
        await Promise.all(
          queries.map(async (q) => {
            const path = `${fill(route.path, (p) => ID_VARIANTS(p)[0]!)}?${q}`;
            expectSane(`${caller.who} GET ${path.slice(0, 120)}`, await api.get(path, caller.token));
          }),
        );
      }
    }
  }, 60_000);

  it('random JSON bodies on every write route, as every caller', async () => {
    const routes = (await documentedRoutes()).filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom(...callers), fc.jsonValue({ maxDepth: 4 }), async (route, caller, body) => {
        const path = fill(route.path, (p) => ID_VARIANTS(p)[0]!);
        expectSane(`${caller.who} ${route.method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`, await api.call(route.method, path, { body, token: caller.token }));
      }),
      { numRuns: 300 },
    );
    expectSane('server still answers', await api.get('/ready'));
  }, 60_000);
});
