import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { confirm, connect, createAdmin, filePrefix, hold, nextEvent, register, slotAhead, verifiedWorkshop, type Account, type ClientSocket } from './fixtures';
import { apiClient, expectStatus, startTestServer, typedClient, type ApiClient } from './harness';

/*
 * A booking's thread: the customer and the workshop write, both see each message live and in
 * the stored thread, unread counts follow reading, admins read but do not write, and nobody
 * else learns the thread exists.
 */

let server: RunningServer;
let api: ApiClient;
const sockets: ClientSocket[] = [];
let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
let customer: Account;
let bookingId: string;

beforeAll(async () => {
  server = await startTestServer({ REDIS_PREFIX: filePrefix('messages') });
  api = apiClient(server.url);
  shop = await verifiedWorkshop(server, api);
  customer = await register(api, 'customer', 'Mia Message');
  const slot = await slotAhead(api, shop.workshop.id);
  bookingId = (await confirm(api, customer.token, await hold(api, customer.token, shop.workshop.id, shop.service.id, slot.id))).id;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

const as = (a: Account) => typedClient(server.url, a.token);
const onBooking = () => ({ params: { path: { id: bookingId } } });
const post = (a: Account, body: string) => as(a).POST('/api/v1/bookings/{id}/messages', { ...onBooking(), body: { body } });

describe('booking message thread', () => {
  it('carries messages both ways, live and stored, with unread counts that follow reading', async () => {
    const [customerSocket, vendorSocket] = await Promise.all([connect(server.url, { token: customer.token }), connect(server.url, { token: shop.vendor.token })]);
    sockets.push(customerSocket, vendorSocket);

    const atDesk = nextEvent(vendorSocket, 'booking:message');
    const echoed = nextEvent(customerSocket, 'booking:message');
    const sent = expectStatus(await post(customer, '  Can I drop the car off at 8?  '), 201).message;
    expect(sent).toMatchObject({ bookingId, authorId: customer.id, authorRole: 'customer', authorName: 'Mia Message', body: 'Can I drop the car off at 8?' });
    expect((await atDesk).message).toEqual(sent);
    expect((await echoed).message.id).toBe(sent.id); // the customer's other tabs see it too

    // The desk has one unread message; the author has none.
    expect(expectStatus(await as(shop.vendor).GET('/api/v1/messages/unread'), 200)).toEqual({ total: 1, byBooking: { [bookingId]: 1 } });
    expect(expectStatus(await as(customer).GET('/api/v1/messages/unread'), 200).total).toBe(0);
    expect(expectStatus(await as(shop.vendor).GET('/api/v1/bookings/{id}/messages', onBooking()), 200).unread).toBe(1);

    // The workshop answers as the workshop.
    const toCustomer = nextEvent(customerSocket, 'booking:message');
    const reply = expectStatus(await post(shop.vendor, 'Yes, the door opens at 7:45.'), 201).message;
    expect(reply).toMatchObject({ authorRole: 'vendor', authorName: 'Test Garage' });
    expect((await toCustomer).message.id).toBe(reply.id);
    // Replying is reading: the desk's unread count is gone; the customer now has one.
    expect(expectStatus(await as(shop.vendor).GET('/api/v1/messages/unread'), 200).total).toBe(0);
    expect(expectStatus(await as(customer).GET('/api/v1/messages/unread'), 200)).toEqual({ total: 1, byBooking: { [bookingId]: 1 } });
    expect((await as(customer).POST('/api/v1/bookings/{id}/messages/read', onBooking())).response.status).toBe(204);
    expect(expectStatus(await as(customer).GET('/api/v1/messages/unread'), 200).total).toBe(0);

    const thread = expectStatus(await as(customer).GET('/api/v1/bookings/{id}/messages', onBooking()), 200);
    expect(thread.messages.map((m) => m.body)).toEqual(['Can I drop the car off at 8?', 'Yes, the door opens at 7:45.']);
    expect(thread.unread).toBe(0);
  });

  it('lets admins read but not write, and keeps the thread from everyone else', async () => {
    const admin = await createAdmin(server, api);
    expect(expectStatus(await as(admin).GET('/api/v1/bookings/{id}/messages', onBooking()), 200).messages.length).toBeGreaterThan(0);
    const adminPost = await post(admin, 'Hello from support');
    expect(adminPost.response.status).toBe(403);

    const otherShop = await verifiedWorkshop(server, api);
    const stranger = await register(api, 'customer');
    for (const who of [otherShop.vendor, stranger]) {
      expect((await as(who).GET('/api/v1/bookings/{id}/messages', onBooking())).response.status).toBe(404);
      expect((await post(who, 'hi')).response.status).toBe(404);
      expect((await as(who).POST('/api/v1/bookings/{id}/messages/read', onBooking())).response.status).toBe(404);
    }
    expect((await typedClient(server.url).GET('/api/v1/bookings/{id}/messages', onBooking())).response.status).toBe(401);
  });

  it('refuses empty and oversized messages with a readable error', async () => {
    const empty = await post(customer, '   ');
    expect(empty.response.status).toBe(400);
    expect(JSON.stringify(empty.error)).toMatch(/Write a message first/);
    const long = await post(customer, 'x'.repeat(2001));
    expect(long.response.status).toBe(400);
    expect(JSON.stringify(long.error)).toMatch(/under 2,000 characters/);
  });
});
