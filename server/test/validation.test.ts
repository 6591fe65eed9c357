// Stays on the raw client: malformed JSON, wrong types, unknown fields and oversized bodies cannot be expressed through the typed client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { register, type Account } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

let server: RunningServer;
let api: ApiClient;
let vendor: Account;
let wsId: string;

beforeAll(async () => {
  server = await startTestServer({ BODY_LIMIT_BYTES: '4096' });
  api = apiClient(server.url);
  vendor = await register(api, 'vendor');
  wsId = (await api.post('/api/workshops', { name: 'Valid Garage', city: 'Leeds', address: '1 A', timezone: 'Europe/London', bays: 2 }, vendor.token)).body.workshop.id;
});
afterAll(() => server?.close());

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
};

describe('bad input always gets a 4xx JSON error, never a 500', () => {
  it('malformed JSON', async () => {
    expectError(await api.call('POST', '/api/auth/register', { raw: '{"email": ' }), 400, 'MALFORMED_JSON');
    expectError(await api.call('POST', '/api/workshops', { raw: 'not json', token: vendor.token }), 400, 'MALFORMED_JSON');
  });

  it('wrong types, with field details', async () => {
    const res = await api.post('/api/workshops', { name: 'X Garage', city: 'Leeds', address: '1', timezone: 'Europe/London', bays: 'two' }, vendor.token);
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'bays' })]));
  });

  it('unknown fields', async () => {
    expectError(await api.post('/api/auth/register', { email: 'u@test.holdfast', password: 'long-enough', name: 'U', isAdmin: true }), 400, 'VALIDATION_FAILED');
    expectError(await api.patch(`/api/workshops/${wsId}`, { status: 'verified' }, vendor.token), 400, 'VALIDATION_FAILED');
  });

  it('oversized bodies', async () => {
    const res = await api.post('/api/workshops', { name: 'Big', city: 'Leeds', address: 'x'.repeat(10_000), timezone: 'Europe/London', bays: 1 }, vendor.token);
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('bad ids, zones, hours and option shapes', async () => {
    expectError(await api.get('/api/workshops/not-a-uuid'), 400, 'VALIDATION_FAILED');
    expectError(await api.get('/api/workshops/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectError(await api.post('/api/workshops', { name: 'TZ Garage', city: 'Leeds', address: '1', timezone: 'Mars/Olympus', bays: 1 }, vendor.token), 400, 'VALIDATION_FAILED');
    expectError(await api.put(`/api/workshops/${wsId}/hours`, [{ weekday: 7, opens: '08:00', closes: '17:00' }], vendor.token), 400, 'VALIDATION_FAILED');
    expectError(await api.put(`/api/workshops/${wsId}/hours`, [{ weekday: 1, opens: '17:00', closes: '08:00' }], vendor.token), 400, 'VALIDATION_FAILED');
    expectError(await api.put(`/api/workshops/${wsId}/hours`, [{ weekday: 1, opens: '8am', closes: '17:00' }], vendor.token), 400, 'VALIDATION_FAILED');
    const badOptions = { name: 'Tyres', category: 'tyres', durationMinutes: 30, basePriceCents: 100, currency: 'GBP', options: { skillTiers: [{ id: 'a', label: 'A', multiplier: 99 }] } };
    expectError(await api.post(`/api/workshops/${wsId}/services`, badOptions, vendor.token), 400, 'VALIDATION_FAILED');
    expectError(await api.post(`/api/workshops/${wsId}/services`, { ...badOptions, options: undefined, currency: 'pounds' }, vendor.token), 400, 'VALIDATION_FAILED');
    expectError(await api.get('/api/workshops?sort=random'), 400, 'VALIDATION_FAILED');
    expectError(await api.get(`/api/workshops/${wsId}/availability?from=yesterday`, vendor.token), 400, 'VALIDATION_FAILED');
  });

  it('NUL characters in bodies and queries (Postgres text cannot store them)', async () => {
    expectError(await api.post('/api/auth/register', { email: 'nul@test.holdfast', password: 'long-enough', name: 'a\u0000b' }), 400, 'VALIDATION_FAILED');
    expectError(await api.get('/api/workshops?city=Le%00eds'), 400, 'VALIDATION_FAILED');
    // An escaped backslash followed by "u0000" is ordinary text, not a NUL.
    const ok = await api.post('/api/workshops', { name: 'Back\\u0000slash', city: 'Leeds', address: '1 A', timezone: 'Europe/London', bays: 1 }, vendor.token);
    expect(ok.status).toBe(201);
  });

  it('unknown routes answer 404 JSON', async () => {
    expectError(await api.get('/api/nope'), 404, 'NOT_FOUND');
  });

  it('the server is still healthy after all of it', async () => {
    expect((await api.get('/health')).status).toBe(200);
    expect((await api.get('/ready')).body).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
  });
});
