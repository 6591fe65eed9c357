// Stays on the raw client: broken percent-encoding and out-of-range dates are sent as raw query strings the typed client would encode or refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickAccounts, quickWorkshop, startEngineServer, type EngineServer, connect } from './fixtures';

/*
 * Input that passed the edge and then failed deeper (a 500, with the SQL in the log): broken
 * percent-encoding, and dates in years Postgres or the app cannot use. Each must be a 400
 * VALIDATION_FAILED at the edge, over HTTP and over the socket.
 */

let es: EngineServer;
let shop: Awaited<ReturnType<typeof quickWorkshop>>;
let customerToken: string;

beforeAll(async () => {
  es = await startEngineServer();
  shop = await quickWorkshop(es);
  customerToken = (await quickAccounts(es.server, 1))[0]!.token;
});
afterAll(() => es?.server.close());

const EXTREME_INSTANTS = ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1899-12-31T00:00:00Z', '2101-01-02T00:00:00+14:00'];
const EXTREME_DATES = ['0000-01-01', '9999-12-31', '1999-12-31', '2101-01-01'];

function expectInvalid(label: string, res: { status: number; body: any }) {
  expect(res.status, `${label} → ${JSON.stringify(res.body)}`).toBe(400);
  expect(res.body.error.code, label).toBe('VALIDATION_FAILED');
}

describe('bad input is 400 VALIDATION_FAILED, never 500', () => {
  it.each(['%FF', '%C3', 'a%E0%A4', '%ED%A0%80', '%C0%AF'])('GET /api/workshops?q=%s (not UTF-8)', async (q) => {
    expectInvalid(q, await es.api.get(`/api/workshops?q=${q}`));
  });

  it('availability from/to outside 2000–2100', async () => {
    for (const d of EXTREME_INSTANTS) {
      expectInvalid(`from=${d}`, await es.api.get(`/api/workshops/${shop.workshop.id}/availability?from=${encodeURIComponent(d)}`));
      expectInvalid(`to=${d}`, await es.api.get(`/api/workshops/${shop.workshop.id}/availability?to=${encodeURIComponent(d)}`));
    }
  });

  it('bookings list from/to outside 2000–2100', async () => {
    for (const d of EXTREME_INSTANTS) {
      expectInvalid(`from=${d}`, await es.api.get(`/api/bookings?from=${encodeURIComponent(d)}`, customerToken));
      expectInvalid(`to=${d}`, await es.api.get(`/api/bookings?to=${encodeURIComponent(d)}`, customerToken));
    }
  });

  it('closures outside 2000–2100', async () => {
    for (const date of EXTREME_DATES) {
      expectInvalid(date, await es.api.post(`/api/workshops/${shop.workshop.id}/closures`, { date }, shop.vendor.token));
    }
    const closures = (await es.api.get(`/api/workshops/${shop.workshop.id}`)).body.workshop.closures;
    expect(closures).toEqual([]);
  });

  it('workshop:watch with a window outside 2000–2100', async () => {
    const socket = await connect(es.server.url);
    try {
      for (const d of EXTREME_INSTANTS) {
        for (const payload of [{ from: d }, { to: d }]) {
          const ack = await socket.timeout(10_000).emitWithAck('workshop:watch', { workshopId: shop.workshop.id, ...payload });
          expect(ack.ok ? 'ok' : ack.error.code, JSON.stringify(payload)).toBe('VALIDATION_FAILED');
        }
      }
      // The socket is still usable: a sane window is answered.
      expect((await socket.timeout(10_000).emitWithAck('workshop:watch', { workshopId: shop.workshop.id })).ok).toBe(true);
    } finally {
      socket.close();
    }
  });
});
