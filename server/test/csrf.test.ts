// Stays on the raw client: CSRF needs raw text/plain bodies, cookies, Origin and forwarded headers sent exactly as a hostile page would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { register, verifiedWorkshop, confirm, connect, filePrefix, hold, slotAhead, WAIT_MS, type ClientSocket } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * A cookie rides along with any page's request; an unsafe request it authenticates must come
 * from our own origin. Bearer tokens are not ambient and pass. The socket's cookie check trusts
 * X-Forwarded-Host only when TRUST_PROXY says a proxy of ours sets it.
 */

const EVIL = 'https://evil.example';
let server: RunningServer;
let proxied: RunningServer;
let api: ApiClient;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  [server, proxied] = await Promise.all([
    startTestServer({ REDIS_PREFIX: filePrefix('csrf') }),
    startTestServer({ REDIS_PREFIX: filePrefix('csrf-proxied'), TRUST_PROXY: 'true' }),
  ]);
  api = apiClient(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([server?.close(), proxied?.close()]);
});

const cookie = (token: string) => `hf_token=${token}`;
const textPost = (path: string, headers: Record<string, string>) => api.call('POST', path, { raw: '{}', headers: { 'content-type': 'text/plain', ...headers } });
const statusOf = async (workshopId: string, adminToken: string) =>
  ((await api.get('/api/admin/workshops', adminToken)).body.workshops as Array<{ id: string; status: string }>).find((w) => w.id === workshopId)?.status;

describe('cross-site requests', () => {
  it('refuses a cross-site admin action carried by the cookie, and lets our own pages and bearer clients through', async () => {
    const { admin, workshop } = await verifiedWorkshop(server, api);
    const suspend = `/api/admin/workshops/${workshop.id}/suspend`;
    const verify = `/api/admin/workshops/${workshop.id}/verify`;

    const forged = await textPost(suspend, { cookie: cookie(admin.token), origin: EVIL });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_REJECTED');
    expect(await statusOf(workshop.id, admin.token)).toBe('verified');

    // A sibling subdomain or another port is another origin, whatever SameSite thinks.
    const sibling = await textPost(suspend, { cookie: cookie(admin.token), origin: server.url.replace('127.0.0.1', 'localhost') });
    expect(sibling.status).toBe(403);

    expect((await textPost(suspend, { cookie: cookie(admin.token), origin: server.url })).status).toBe(200);
    expect(await statusOf(workshop.id, admin.token)).toBe('suspended');
    expect((await textPost(verify, { cookie: cookie(admin.token), 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await textPost(suspend, { authorization: `Bearer ${admin.token}`, origin: EVIL })).status).toBe(200);
    expect(await statusOf(workshop.id, admin.token)).toBe('suspended');
  });

  it('refuses a cookie POST without a body or Origin unless the browser says it is same-origin', async () => {
    const shop = await verifiedWorkshop(server, api);
    const customer = await register(api, 'customer');
    const booking = await confirm(api, customer.token, await hold(api, customer.token, shop.workshop.id, shop.service.id, (await slotAhead(api, shop.workshop.id)).id));
    const cancel = (headers: Record<string, string>) => api.call('POST', `/api/bookings/${booking.id}/cancel`, { headers: { cookie: cookie(customer.token), ...headers } });

    const crossSite = await cancel({ 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_REJECTED');
    expect((await cancel({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await cancel({})).status).toBe(403); // no proof at all: a cookie alone is not enough
    expect((await api.get(`/api/bookings/${booking.id}`, customer.token)).body.booking.status).toBe('pending');

    const ours = await cancel({ origin: server.url });
    expect(ours.status, JSON.stringify(ours.body)).toBe(200);
    expect(ours.body.booking.status).toBe('cancelled');
  });

  it('ignores a client-sent X-Forwarded-Host unless TRUST_PROXY is on', async () => {
    const { admin, workshop } = await verifiedWorkshop(server, api);
    const spoofed = await textPost(`/api/admin/workshops/${workshop.id}/suspend`, { cookie: cookie(admin.token), origin: EVIL, 'x-forwarded-host': 'evil.example' });
    expect(spoofed.status).toBe(403);
    expect(await statusOf(workshop.id, admin.token)).toBe('verified');
    // Behind our own proxy (TRUST_PROXY) the forwarded host is the public one the page came from.
    const viaProxy = await apiClient(proxied.url).call('POST', `/api/admin/workshops/${workshop.id}/suspend`, {
      headers: { cookie: cookie(admin.token), origin: 'https://holdfast.example', 'x-forwarded-host': 'holdfast.example', 'x-forwarded-proto': 'https' },
    });
    expect(viaProxy.status, JSON.stringify(viaProxy.body)).toBe(200);
  });

  it('refuses a cross-site sign-in (login CSRF) but not a script\'s, even one still carrying an old cookie', async () => {
    const user = await register(api, 'customer');
    const body = { email: user.email, password: 'correct-horse-battery' };
    const crossSite = await api.post('/api/auth/login', body, undefined, { origin: EVIL });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_REJECTED');
    expect((await api.post('/api/auth/login', body, undefined, { origin: server.url })).status).toBe(200);
    expect((await api.post('/api/auth/login', body, undefined, { cookie: cookie(user.token) })).status).toBe(200);
  });
});

describe('socket handshake', () => {
  const boardOk = async (s: ClientSocket) => (await s.timeout(WAIT_MS).emitWithAck('board:watch')).ok;
  const open = async (url: string, auth: Parameters<typeof connect>[1]) => {
    const s = await connect(url, auth);
    sockets.push(s);
    return s;
  };

  it('does not let a client-sent X-Forwarded-Host make a foreign Origin look like ours', async () => {
    const { admin } = await verifiedWorkshop(server, api);
    const spoof = { cookie: cookie(admin.token), origin: EVIL, headers: { 'x-forwarded-host': 'evil.example' } };
    expect(await boardOk(await open(server.url, spoof))).toBe(false);
    expect(await boardOk(await open(server.url, { cookie: cookie(admin.token), origin: server.url }))).toBe(true);
    // Behind our own proxy (TRUST_PROXY) the forwarded host is the public one the page came from.
    const viaProxy = { cookie: cookie(admin.token), origin: 'https://holdfast.example', headers: { 'x-forwarded-host': 'holdfast.example' } };
    expect(await boardOk(await open(proxied.url, viaProxy))).toBe(true);
    expect(await boardOk(await open(proxied.url, { ...viaProxy, origin: EVIL }))).toBe(false);
  });
});
