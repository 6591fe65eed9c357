import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldfastClient } from '@shared/api/client';
import { rooms } from '@shared/realtime/rooms';
import { manualClock } from '../domain/clock';
import type { RunningServer } from '../runtime';
import {
  PASSWORD, connect, confirm, createAdmin, filePrefix, hold, joinAsStaff, nextEvent, record, register, slotAhead, staffInviteToken, verifiedWorkshop,
  type Account, type ClientSocket,
} from './fixtures';
import { apiClient, expectStatus, startTestServer, uniqueEmail, type ApiClient } from './harness';

/*
 * Staff accounts (README "Staff and roles"): invitations by emailed link, the role matrix on every
 * workshop-side route, job assignment with who did it, and removal that takes effect at once on
 * HTTP and on sockets, on both of two processes behind one Redis.
 */

const clock = manualClock();
let a: RunningServer;
let b: RunningServer;
let api: ApiClient;
let apiB: ApiClient;
const sockets: ClientSocket[] = [];

let wsA: string;
let wsB: string;
let svcA: string;
let who: Record<'anon' | 'customer' | 'ownerA' | 'deskA' | 'mechA' | 'ownerB' | 'mechB' | 'admin', Account | null>;

beforeAll(async () => {
  // A long session recheck: its safety net (dropping rooms of lost memberships) must not be what the removal test sees.
  const env = { REDIS_PREFIX: filePrefix('staff'), SESSION_RECHECK_MS: '60000' };
  [a, b] = await Promise.all([startTestServer(env, { clock }), startTestServer(env, { clock })]);
  api = apiClient(a.url);
  apiB = apiClient(b.url);
  const A = await verifiedWorkshop(a, api, { bays: 2 });
  const B = await verifiedWorkshop(a, api, { bays: 2 });
  wsA = A.workshop.id;
  wsB = B.workshop.id;
  svcA = A.service.id;
  who = {
    anon: null,
    customer: await register(api, 'customer'),
    ownerA: A.vendor,
    deskA: await joinAsStaff(a, api, A.vendor.token, wsA, 'front_desk', 'Dana Desk'),
    mechA: await joinAsStaff(a, api, A.vendor.token, wsA, 'mechanic', 'Milo Mechanic'),
    ownerB: B.vendor,
    mechB: await joinAsStaff(a, api, B.vendor.token, wsB, 'mechanic', 'Bo Mechanic'),
    admin: await createAdmin(a, api),
  };
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.close(), b?.close()]);
});

const as = (w: Account | null) => api.typed(w?.token);
const onA = () => ({ params: { path: { id: wsA } } });

/** A pending request on workshop A from the file's customer (slot `index` a day or more ahead). */
async function requestOnA(index: number) {
  const slot = await slotAhead(api, wsA, index);
  const booking = await confirm(api, who.customer!.token, await hold(api, who.customer!.token, wsA, svcA, slot.id));
  return { booking, slot };
}

describe('invitations', () => {
  it('an invitee without an account joins by the link as the invited role and sees only that workshop', async () => {
    const email = uniqueEmail('mechanic');
    const sent = expectStatus(await as(who.ownerA).POST('/api/v1/workshops/{id}/staff/invitations', { ...onA(), body: { email, role: 'mechanic' } }), 201);
    expect(sent.invitation).toMatchObject({ email, role: 'mechanic', status: 'pending' });
    const team = expectStatus(await as(who.ownerA).GET('/api/v1/workshops/{id}/staff', onA()), 200);
    expect(team.invitations.map((i) => i.email)).toContain(email);

    const token = await staffInviteToken(a, email);
    const preview = expectStatus(await as(null).POST('/api/v1/auth/staff-invitations/preview', { body: { token } }), 200);
    expect(preview).toEqual({ workshopName: 'Test Garage', role: 'mechanic', email, hasAccount: false });
    // A new account needs a name.
    expect((await api.post('/api/auth/staff-invitations/accept', { token, password: PASSWORD })).body.error.code).toBe('VALIDATION_FAILED');
    const joined = expectStatus(await as(null).POST('/api/v1/auth/staff-invitations/accept', { body: { token, name: 'Nia New', password: PASSWORD } }), 201);
    expect(joined.user).toMatchObject({ email, role: 'vendor', emailVerified: true });

    const mine = expectStatus(await api.typed(joined.token).GET('/api/v1/vendor/workshops'), 200);
    expect(mine.workshops.map((w) => w.id)).toEqual([wsA]);
    expect(mine.memberships).toEqual([{ workshopId: wsA, role: 'mechanic' }]);
    // The link worked once.
    expect((await api.post('/api/auth/staff-invitations/accept', { token, name: 'Again', password: PASSWORD })).status).toBe(410);
    const after = expectStatus(await as(who.ownerA).GET('/api/v1/workshops/{id}/staff', onA()), 200);
    expect(after.members.find((m) => m.email === email)).toMatchObject({ role: 'mechanic', invitedBy: 'Test vendor' });
    expect(after.invitations.map((i) => i.email)).not.toContain(email);
  });

  it('an existing workshop account joins with its own password and then works in both workshops', async () => {
    const ownerB = who.ownerB!;
    expectStatus(await as(who.ownerA).POST('/api/v1/workshops/{id}/staff/invitations', { ...onA(), body: { email: ownerB.email, role: 'front_desk' } }), 201);
    const token = await staffInviteToken(a, ownerB.email);
    expect(expectStatus(await as(null).POST('/api/v1/auth/staff-invitations/preview', { body: { token } }), 200).hasAccount).toBe(true);
    expect((await api.post('/api/auth/staff-invitations/accept', { token, password: 'not-the-password' })).status).toBe(401);
    expectStatus(await as(null).POST('/api/v1/auth/staff-invitations/accept', { body: { token, password: PASSWORD } }), 200);
    const mine = expectStatus(await as(ownerB).GET('/api/v1/vendor/workshops'), 200);
    expect(new Map(mine.memberships.map((m) => [m.workshopId, m.role]))).toEqual(new Map([[wsA, 'front_desk'], [wsB, 'owner']]));
    // Back out of A, so the matrix below keeps ownerB an outsider there.
    expect((await as(who.ownerA).DELETE('/api/v1/workshops/{id}/staff/{userId}', { params: { path: { id: wsA, userId: ownerB.id } } })).response.status).toBe(204);
    expect(expectStatus(await as(ownerB).GET('/api/v1/vendor/workshops'), 200).memberships).toEqual([{ workshopId: wsB, role: 'owner' }]);
  });

  it('refuses customers\' addresses, people already in the workshop, and withdrawn links', async () => {
    const invite = (email: string) => api.post(`/api/workshops/${wsA}/staff/invitations`, { email, role: 'mechanic' }, who.ownerA!.token);
    expect((await invite(who.customer!.email)).body.error.code).toBe('EMAIL_TAKEN');
    expect((await invite(who.mechA!.email)).body.error.code).toBe('CONFLICT');
    const email = uniqueEmail('withdrawn');
    const sent = await invite(email);
    const token = await staffInviteToken(a, email);
    expect((await api.del(`/api/workshops/${wsA}/staff/invitations/${sent.body.invitation.id}`, who.ownerA!.token)).status).toBe(204);
    expect((await api.post('/api/auth/staff-invitations/preview', { token })).body.error.code).toBe('TOKEN_INVALID');
    // The owner stays the owner.
    expect((await api.patch(`/api/workshops/${wsA}/staff/${who.ownerA!.id}`, { role: 'mechanic' }, who.ownerA!.token)).body.error.code).toBe('CONFLICT');
    expect((await api.del(`/api/workshops/${wsA}/staff/${who.ownerA!.id}`, who.ownerA!.token)).body.error.code).toBe('CONFLICT');
  });
});

type Who = keyof typeof who;
const ALL: Who[] = ['anon', 'customer', 'ownerA', 'deskA', 'mechA', 'ownerB', 'mechB', 'admin'];
/** Expected statuses; anything not listed is 403 (signed in, not allowed), anonymous is always 401. */
const only = (allowed: Partial<Record<Who, number>>, others: Partial<Record<Who, number>> = {}): Record<Who, number> =>
  Object.fromEntries(ALL.map((w) => [w, w === 'anon' ? 401 : (allowed[w] ?? others[w] ?? 403)])) as Record<Who, number>;

describe('the role matrix on workshop-side routes (staff of A never reach B, and B\'s never reach A)', () => {
  const cases: Array<{ name: string; call: (c: HoldfastClient) => Promise<{ response: Response }>; expect: Record<Who, number> }> = [
    { name: 'GET /vendor/workshops', call: (c) => c.GET('/api/v1/vendor/workshops'), expect: only({ ownerA: 200, deskA: 200, mechA: 200, ownerB: 200, mechB: 200 }) },
    { name: 'GET verification (desk.view)', call: (c) => c.GET('/api/v1/workshops/{id}/verification', onA()), expect: only({ ownerA: 200, deskA: 200, mechA: 200, admin: 200 }) },
    { name: 'PATCH workshop (settings.edit)', call: (c) => c.PATCH('/api/v1/workshops/{id}', { ...onA(), body: { holdTtlSeconds: 120 } }), expect: only({ ownerA: 200 }) },
    { name: 'PUT hours (settings.edit)', call: (c) => c.PUT('/api/v1/workshops/{id}/hours', { ...onA(), body: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '08:00', closes: '18:00' })) }), expect: only({ ownerA: 200 }) },
    { name: 'POST closure (settings.edit)', call: (c) => c.POST('/api/v1/workshops/{id}/closures', { ...onA(), body: { date: '2099-01-01' } }), expect: only({ ownerA: 201 }, {}) },
    { name: 'PATCH service (settings.edit)', call: (c) => c.PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: wsA, serviceId: svcA } }, body: { basePriceCents: 4999 } }), expect: only({ ownerA: 200 }) },
    { name: 'GET money-policy (money.view)', call: (c) => c.GET('/api/v1/workshops/{id}/money-policy', onA()), expect: only({ ownerA: 200, admin: 200 }) },
    { name: 'GET money (money.view)', call: (c) => c.GET('/api/v1/workshops/{id}/money', onA()), expect: only({ ownerA: 200, admin: 200 }) },
    { name: 'GET staff (jobs.assign)', call: (c) => c.GET('/api/v1/workshops/{id}/staff', onA()), expect: only({ ownerA: 200, deskA: 200 }) },
    { name: 'POST staff invitation (staff.manage)', call: (c) => c.POST('/api/v1/workshops/{id}/staff/invitations', { ...onA(), body: { email: uniqueEmail('matrix'), role: 'mechanic' } }), expect: only({ ownerA: 201 }) },
    { name: 'DELETE an unknown invitation (staff.manage)', call: (c) => c.DELETE('/api/v1/workshops/{id}/staff/invitations/{invitationId}', { params: { path: { id: wsA, invitationId: crypto.randomUUID() } } }), expect: only({ ownerA: 404 }) },
    { name: 'PATCH a member\'s role (staff.manage)', call: (c) => c.PATCH('/api/v1/workshops/{id}/staff/{userId}', { params: { path: { id: wsA, userId: who.mechA!.id } }, body: { role: 'mechanic' } }), expect: only({ ownerA: 200 }) },
    { name: 'GET reports (money.view)', call: (c) => c.GET('/api/v1/workshops/{id}/reports', { ...onA(), params: { ...onA().params, query: {} } }), expect: only({ ownerA: 200, admin: 200 }) },
    { name: 'GET quality (money.view)', call: (c) => c.GET('/api/v1/workshops/{id}/quality', onA()), expect: only({ ownerA: 200, admin: 200 }) },
    { name: 'GET payout account (money.view)', call: (c) => c.GET('/api/v1/workshops/{id}/payout-account', onA()), expect: only({ ownerA: 200, admin: 200 }) },
    { name: 'DELETE an unknown member (staff.manage)', call: (c) => c.DELETE('/api/v1/workshops/{id}/staff/{userId}', { params: { path: { id: wsA, userId: crypto.randomUUID() } } }), expect: only({ ownerA: 404 }) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = Object.fromEntries(await Promise.all(ALL.map(async (w) => [w, (await c.call(as(who[w]))).response.status] as const)));
      expect(got).toEqual(c.expect);
    });
  }

  it("repair tracking, the workshop's cancel and free runs on a booking of A", async () => {
    const { booking } = await requestOnA(1);
    const path = (action: string) => `/api/bookings/${booking.id}/${action}`;
    expect((await api.post(path('accept'), undefined, who.ownerA!.token)).status).toBe(200);
    const lines = { items: [{ description: 'Wiper blades', priceMinor: 1500 }] };
    const refused = (status: number) => expect([403, 404]).toContain(status);
    // B's owner and staff reach nothing of A's booking.
    for (const w of ['ownerB', 'mechB'] as const) {
      const token = who[w]!.token;
      refused((await api.get(path('job'), token)).status);
      refused((await api.post(path('stage'), { stage: 'checked_in' }, token)).status);
      refused((await api.post(path('quotes'), lines, token)).status);
      refused((await api.get(path('free-runs'), token)).status);
      refused((await api.post(path('workshop-cancel'), { reason: 'Not ours to cancel' }, token)).status);
    }
    // A's mechanic updates the job (jobs.update) but neither quotes nor cancels (bookings.respond).
    expect((await api.post(path('stage'), { stage: 'checked_in', note: 'Keys at the desk' }, who.mechA!.token)).status).toBeLessThan(300);
    refused((await api.post(path('quotes'), lines, who.mechA!.token)).status);
    // A member of the booking's workshop is told which permission their role lacks (403), not "no such booking".
    const cancel = await api.post(path('workshop-cancel'), { reason: 'Mechanic tries' }, who.mechA!.token);
    expect([cancel.status, cancel.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(cancel.body.error.message).toContain('bookings.respond');
    // A's front desk sends the quote.
    expect((await api.post(path('quotes'), lines, who.deskA!.token)).status).toBe(201);
    const { job } = (await api.get(path('job'), who.ownerA!.token)).body;
    expect(job).toMatchObject({ stage: 'checked_in' });
    expect(job.quotes.map((q: { status: string }) => q.status)).toEqual(['pending']);
    expect((await api.get(`/api/bookings/${booking.id}`, who.ownerA!.token)).body.booking.status).toBe('accepted');
  });

  it('booking moves, messages and assignment on a request of A', async () => {
    const { booking } = await requestOnA(0);
    const path = (action: string) => `/api/bookings/${booking.id}/${action}`;
    // Outsiders (B's owner and staff) do not learn the booking exists; customers cannot assign.
    for (const w of ['ownerB', 'mechB'] as const) {
      expect((await api.post(path('accept'), undefined, who[w]!.token)).status).toBe(404);
      expect((await api.put(path('assignment'), { assigneeId: null, bay: 1 }, who[w]!.token)).status).toBe(404);
      expect((await api.get(`/api/bookings/${booking.id}`, who[w]!.token)).status).toBe(404);
    }
    expect((await api.put(path('assignment'), { assigneeId: null, bay: 1 }, who.customer!.token)).status).toBe(403);
    expect((await api.put(path('assignment'), { assigneeId: null, bay: 1 })).status).toBe(401);
    // A mechanic sees the request but may neither answer it, assign it, nor write to the customer.
    expect((await api.get(`/api/bookings/${booking.id}`, who.mechA!.token)).status).toBe(200);
    expect((await api.post(path('accept'), undefined, who.mechA!.token)).status).toBe(403);
    expect((await api.post(path('decline'), { reason: 'no' }, who.mechA!.token)).status).toBe(403);
    expect((await api.put(path('assignment'), { assigneeId: who.mechA!.id, bay: 1 }, who.mechA!.token)).status).toBe(403);
    expect((await api.post(path('messages'), { body: 'hello' }, who.mechA!.token)).status).toBe(403);
    // The front desk does all three.
    expect((await api.post(path('messages'), { body: 'See you then' }, who.deskA!.token)).status).toBe(201);
    expect((await api.post(path('accept'), undefined, who.deskA!.token)).status).toBe(200);
    const assigned = await api.put(path('assignment'), { assigneeId: who.mechA!.id, bay: 2 }, who.deskA!.token);
    expect(assigned.status).toBe(200);
    expect(assigned.body.booking).toMatchObject({ assignee: { id: who.mechA!.id, name: 'Milo Mechanic' }, bay: 2, status: 'accepted' });
    // Refused: a bay the workshop does not have, someone who does not work there.
    expect((await api.put(path('assignment'), { assigneeId: null, bay: 3 }, who.ownerA!.token)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await api.put(path('assignment'), { assigneeId: who.ownerB!.id, bay: 1 }, who.ownerA!.token)).body.error.code).toBe('VALIDATION_FAILED');

    // Who did it: every workshop-side move names its person for the desk; the customer sees the role only.
    const seen = (await api.get(`/api/bookings/${booking.id}`, who.ownerA!.token)).body.booking;
    expect(seen.events.map((e: { type: string; actorName: string | null }) => [e.type, e.actorName])).toEqual([
      ['requested', 'Test customer'],
      ['accepted', 'Dana Desk'],
      ['assigned', 'Dana Desk'],
    ]);
    expect(seen.events[2].data).toEqual({ assigneeId: who.mechA!.id, bay: 2 });
    const customerView = (await api.get(`/api/bookings/${booking.id}`, who.customer!.token)).body.booking;
    expect(customerView.events.map((e: { actorName: string | null }) => e.actorName)).toEqual(['Test customer', null, null]);
    expect(customerView.assignee).toEqual({ id: who.mechA!.id, name: 'Milo Mechanic' });
  });

  it('a mechanic updates a job (check-in at the booked time) and the history names them', async () => {
    const { booking, slot } = await requestOnA(1);
    expect((await api.post(`/api/bookings/${booking.id}/accept`, undefined, who.ownerA!.token)).status).toBe(200);
    const at = clock.now();
    clock.set(Date.parse(slot.startsAt));
    try {
      const started = await api.post(`/api/bookings/${booking.id}/start`, undefined, who.mechA!.token);
      expect(started.status).toBe(200);
      expect(started.body.booking.status).toBe('in_progress');
    } finally {
      clock.set(at);
    }
    const events = (await api.get(`/api/bookings/${booking.id}`, who.mechA!.token)).body.booking.events;
    expect(events.at(-1)).toMatchObject({ type: 'started', actorRole: 'vendor', actorName: 'Milo Mechanic' });
  });

  it('lists only the bookings of the workshops one works in', async () => {
    const listed = (w: Account) => api.get(`/api/bookings?limit=500`, w.token).then((r) => r.body.bookings as Array<{ workshopId: string }>);
    const ofMech = await listed(who.mechA!);
    expect(ofMech.length).toBeGreaterThan(0);
    expect(new Set(ofMech.map((x) => x.workshopId))).toEqual(new Set([wsA]));
    expect((await listed(who.mechB!)).every((x) => x.workshopId === wsB)).toBe(true);
  });
});

describe('booking mail', () => {
  it("a new request is mailed to the owner and the front desk, not to the mechanic (who does not answer requests)", async () => {
    const { booking } = await requestOnA(7);
    const rows = await a.orm.em.fork().getConnection().execute<Array<{ recipient_id: string }>>(
      `select recipient_id from outbox_message where booking_id = ? and template = 'request_new'`, [booking.id],
    );
    expect(rows.map((r) => r.recipient_id).sort()).toEqual([who.ownerA!.id, who.deskA!.id].sort());
  });
});

describe('removal', () => {
  async function socketOf(server: RunningServer, token: string) {
    const s = await connect(server.url, { token });
    sockets.push(s);
    return s;
  }
  /** The ids of the sockets in workshop A's desk room, across both processes (the adapter asks the other one). */
  const deskRoom = async (server: RunningServer) => (await server.realtime.io.in(rooms.vendor(wsA)).fetchSockets()).map((s) => s.data.principal?.id);

  it('takes effect at once: the next request is refused and the live feed is left on both processes', async () => {
    const gone = await joinAsStaff(a, api, who.ownerA!.token, wsA, 'mechanic', 'Gus Gone');
    // Two open desks of the mechanic, one on each process; the owner watches through B.
    const onA1 = await socketOf(a, gone.token);
    const onB1 = await socketOf(b, gone.token);
    const owner = await socketOf(b, who.ownerA!.token);
    const goneOnA = record(onA1);
    const goneOnB = record(onB1);
    expect((await deskRoom(a)).filter((id) => id === gone.id)).toHaveLength(2);

    // Before removal both desks get A's booking events.
    const first = nextEvent(onB1, 'booking:changed', (e) => e.booking.workshopId === wsA);
    const { booking } = await requestOnA(2);
    expect((await first).booking.id).toBe(booking.id);
    expect((await api.get(`/api/bookings/${booking.id}`, gone.token)).status).toBe(200);

    // Removed through process A: both desks hear it, and both sockets already left the room.
    const heardA = nextEvent(onA1, 'workshop:access');
    const heardB = nextEvent(onB1, 'workshop:access');
    expect((await api.del(`/api/workshops/${wsA}/staff/${gone.id}`, who.ownerA!.token)).status).toBe(204);
    expect(await heardA).toEqual({ workshopId: wsA, role: null });
    expect(await heardB).toEqual({ workshopId: wsA, role: null });
    // Each process left the room before the event went out: by the time a desk hears it, it is out.
    const localRoom = (server: RunningServer) =>
      [...(server.realtime.io.of('/').adapter.rooms.get(rooms.vendor(wsA)) ?? [])].map((id) => server.realtime.io.of('/').sockets.get(id)?.data.principal?.id);
    expect(localRoom(a)).not.toContain(gone.id);
    expect(localRoom(b)).not.toContain(gone.id);
    expect(localRoom(b)).toContain(who.ownerA!.id);
    expect(await deskRoom(b)).not.toContain(gone.id);
    expect((await deskRoom(a)).filter((id) => id === who.ownerA!.id).length).toBeGreaterThan(0);

    // HTTP: refused at once, through either process.
    expect((await api.get(`/api/bookings/${booking.id}`, gone.token)).status).toBe(404);
    expect((await apiB.get(`/api/workshops/${wsA}/verification`, gone.token)).status).toBe(403);
    expect(expectStatus(await apiB.typed(gone.token).GET('/api/v1/vendor/workshops'), 200).workshops).toEqual([]);

    // The next booking event of A reaches the owner's desk but neither of the removed desks.
    const next = nextEvent(owner, 'booking:changed', (e) => e.booking.workshopId === wsA && e.event.type === 'declined');
    expect((await api.post(`/api/bookings/${booking.id}/decline`, { reason: 'Fully booked' }, who.deskA!.token)).status).toBe(200);
    await next;
    // A sentinel to the removed person's own room, sent after: anything of A's would have come before it.
    const sentinelA = nextEvent(onA1, 'workshop:access', (e) => e.workshopId === wsB);
    const sentinelB = nextEvent(onB1, 'workshop:access', (e) => e.workshopId === wsB);
    a.realtime.publisher.staffAccess({ workshopId: wsB, userId: gone.id, role: null });
    await Promise.all([sentinelA, sentinelB]);
    for (const r of [goneOnA, goneOnB]) {
      expect(r.of('booking:changed').filter((e) => e.event.type === 'declined')).toEqual([]);
    }
  });
});
