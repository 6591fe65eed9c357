// Stays on the raw client: it fuzzes every route with bodies, paths and queries the contract's types cannot express.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { createAdmin, register, verifiedWorkshop } from './fixtures';
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
  server = await startTestServer({ RATE_LIMIT_LOGIN_PER_MIN: '1000', RATE_LIMIT_REGISTER_PER_HOUR: '100000', RATE_LIMIT_HOLDS_PER_MIN: '100000', MAX_OPEN_BOOKINGS: '1000' });
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
  /** Query parameters the route documents. */
  query: string[];
}

async function documentedRoutes(): Promise<Route[]> {
  type Op = { parameters?: Array<{ in: string; name: string }> };
  const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, Op>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name) })),
  );
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

/** Values that pass loose checks and break deeper: broken percent-encoding, extreme dates, huge numbers. */
const BAD_PERCENT = ['%FF', '%C3', 'a%E0%A4', '%ED%A0%80', '%C0%AF', '%', '%zz', '%00'];
const EXTREME_DATES = ['0000-01-01', '9999-12-31', '275760-09-13', '-000001-01-01', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '2101-01-01T00:00:00Z'];
const HUGE_NUMBERS: Array<number | string> = [1e308, -1e308, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, '99999999999999999999', '1e308', '-0', 0.5, 'Infinity', 'NaN'];
/** Every field any write route's body reads (hours rows, closures, workshops, services, holds, bookings, reviews). */
const BODY_FIELDS = [
  'date', 'from', 'to', 'weekday', 'opens', 'closes', 'bays', 'slotMinutes', 'holdTtlSeconds', 'acceptSlaMinutes', 'lat', 'lng',
  'durationMinutes', 'basePriceCents', 'rating', 'year', 'limit', 'workshopId', 'serviceId', 'slotId', 'holdId', 'name', 'reason',
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
        for (const [c, caller] of callers.entries()) {
          // Each (variant, caller) pair sends a third of the nasty bodies, in rotation: every body
          // still reaches every route as every caller and with two path variants, at a third of the
          // requests (the whole product grew past the suite's time as the API grew).
          const bodies = route.method === 'GET' || route.method === 'DELETE' ? [undefined] : NASTY_BODIES.filter((_, i) => (i + variant + c) % 3 === 0);
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
  }, 180_000);

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

  it('bad percent-encoding, extreme dates and huge numbers in every query field of every GET', async () => {
    const routes = (await documentedRoutes()).filter((r) => r.method === 'GET');
    expect(routes.flatMap((r) => r.query)).toEqual(expect.arrayContaining(['q', 'from', 'to', 'limit', 'status']));
    const values = [...BAD_PERCENT, ...EXTREME_DATES.map(encodeURIComponent), ...HUGE_NUMBERS.map((v) => encodeURIComponent(String(v)))];
    let requests = 0;
    for (const route of routes) {
      const base = fill(route.path, (p) => ID_VARIANTS(p)[0]!);
      // Every documented field, plus an undocumented one (the encoding is checked before any route).
      const fields = [...route.query, 'x'];
      for (const [c, caller] of callers.entries()) {
        // Each caller sends half the values, in rotation (every value, every field, two callers).
        await Promise.all(
          fields.flatMap((field) => values.filter((_, i) => (i + c) % 2 === 0).map(async (v) => {
            expectSane(`${caller.who} GET ${base}?${field}=${v}`, await api.get(`${base}?${field}=${v}`, caller.token));
            requests++;
          })),
        );
      }
      // Broken encoding in the path itself, too.
      for (const v of BAD_PERCENT) expectSane(`GET ${route.path} with ${v} ids`, await api.get(fill(route.path, () => v), callers[1]!.token));
    }
    expect(requests).toBeGreaterThan(500);
  }, 180_000);

  it('extreme dates and huge numbers in every body field of every write route, as every caller', async () => {
    const routes = (await documentedRoutes()).filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
    const values: unknown[] = [...EXTREME_DATES, ...HUGE_NUMBERS];
    let requests = 0;
    for (const route of routes) {
      const path = fill(route.path, (p) => ID_VARIANTS(p)[0]!);
      // Only callers the route lets through to its body validation (others stop at 401/403).
      const admitted = [];
      for (const caller of callers) {
        if (![401, 403].includes((await api.call(route.method, path, { body: {}, token: caller.token })).status)) admitted.push(caller);
      }
      for (const caller of admitted) {
        await Promise.all(
          values.map(async (v) => {
            const body = Object.fromEntries(BODY_FIELDS.map((f) => [f, v]));
            // Also inside the array the hours route takes, and one field at a time next to sane ones.
            for (const b of [body, [body], { date: v }, { from: v, to: v }]) {
              expectSane(`${caller.who} ${route.method} ${path} ${JSON.stringify(b).slice(0, 80)}`, await api.call(route.method, path, { body: b, token: caller.token }));
              requests++;
            }
          }),
        );
      }
    }
    expect(requests).toBeGreaterThan(1000);
    expectSane('server still answers', await api.get('/ready'));
  }, 120_000);
});
