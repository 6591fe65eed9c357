import { describe, expect, it } from 'vitest';
import { ALL_WEEK, confirm, connect, createAdmin, hold, nextEvent, register, slotAhead, verifiedWorkshop, watchOk } from './fixtures';
import { expectStatus, useTestServer } from './harness';

const t = useTestServer();

const service = { name: 'MOT', category: 'inspection' as const, durationMinutes: 30, basePriceCents: 5000, currency: 'GBP' };

describe('verification gated on a readiness checklist', () => {
  it('refuses an empty listing, returns it to the vendor with a reason, and verifies it once ready', async () => {
    const vendor = await register(t.api, 'vendor', 'Priya Owner');
    const admin = await createAdmin(t.server, t.api);
    const [asVendor, asAdmin] = [t.as(vendor.token), t.as(admin.token)];
    // The empty listing: no services, no hours, UTC.
    const ws = expectStatus(await asVendor.POST('/api/v1/workshops', { body: { name: 'Empty Garage', city: 'Leeds', address: '1 Test Street', timezone: 'UTC', bays: 1 } }), 201).workshop;
    const path = { params: { path: { id: ws.id } } };

    const refused = await asAdmin.POST('/api/v1/admin/workshops/{id}/verify', path);
    expect(refused.response.status).toBe(422);
    expect(refused.error!.error.code).toBe('NOT_READY');
    expect((refused.error!.error.details as { missing: string[] }).missing).toEqual(['hours', 'service', 'timezone', 'contact', 'registration', 'insurance']);
    expect(refused.error!.error.message).toMatch(/opening hours \(Set the weekly opening hours\)/);

    // The queue row shows who owns it and the checklist.
    const queue = expectStatus(await asAdmin.GET('/api/v1/admin/workshops', { params: { query: { status: 'pending' } } }), 200);
    const row = queue.workshops.find((w) => w.id === ws.id)!;
    expect(row.owner).toEqual({ id: vendor.id, name: 'Priya Owner', email: vendor.email });
    expect(row.verification.readiness.ready).toBe(false);
    expect(row.verification.readiness.items.filter((i) => !i.ok).map((i) => i.key)).toEqual(['hours', 'service', 'timezone', 'contact', 'registration', 'insurance']);

    // Returned with a reason: the vendor reads it on their checklist.
    const bad = await asAdmin.POST('/api/v1/admin/workshops/{id}/return', { ...path, body: { reason: 'no' } });
    expect(bad.response.status).toBe(400);
    const returned = expectStatus(await asAdmin.POST('/api/v1/admin/workshops/{id}/return', { ...path, body: { reason: 'Add your hours and a phone number' } }), 200).verification;
    expect(returned.returned?.reason).toBe('Add your hours and a phone number');
    const seen = expectStatus(await asVendor.GET('/api/v1/workshops/{id}/verification', path), 200).verification;
    expect(seen).toMatchObject({ status: 'pending', returned: { reason: 'Add your hours and a phone number' }, reviewRequestedAt: null });
    const queueAfter = expectStatus(await asAdmin.GET('/api/v1/admin/workshops', { params: { query: { status: 'pending' } } }), 200).workshops;
    expect(queueAfter.at(-1)!.verification.returned).not.toBeNull(); // returned ones wait at the end

    // The vendor fixes everything and asks again; the return note is cleared.
    expectStatus(await asVendor.PATCH('/api/v1/workshops/{id}', { ...path, body: { timezone: 'Europe/London', phone: '0113 496 0000', email: 'Desk@Empty.example', registrationNumber: 'GB-11223344', insuranceExpiresOn: '2099-12-31' } }), 200);
    expectStatus(await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: ALL_WEEK }), 200);
    expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: service }), 201);
    const asked = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/review-request', path), 200).verification;
    expect(asked.returned).toBeNull();
    expect(asked.reviewRequestedAt).not.toBeNull();
    expect(asked.readiness.ready).toBe(true);
    expect((await asVendor.POST('/api/v1/workshops/{id}/review-request', path)).response.status).toBe(409);

    const verified = expectStatus(await asAdmin.POST('/api/v1/admin/workshops/{id}/verify', path), 200).workshop;
    expect(verified).toMatchObject({ status: 'verified', phone: '0113 496 0000', email: 'desk@empty.example' });
    // Only a pending workshop can be returned.
    expect((await asAdmin.POST('/api/v1/admin/workshops/{id}/return', { ...path, body: { reason: 'Too late now' } })).response.status).toBe(409);
  });

  it('suggests the time zones of a city or map point to vendors', async () => {
    const vendor = await register(t.api, 'vendor');
    const zones = (query: { city: string; lat?: number; lng?: number }, token = vendor.token) => t.as(token).GET('/api/v1/places/zones', { params: { query } });
    expect(expectStatus(await zones({ city: 'Leeds' }), 200).zones).toEqual(['Europe/London']);
    expect(expectStatus(await zones({ city: 'Bristol' }), 200).zones.sort()).toEqual(['America/New_York', 'Europe/London']);
    expect(expectStatus(await zones({ city: 'Leeds', lat: 40.71, lng: -74 }), 200).zones).toEqual(['America/New_York']);
    expect(expectStatus(await zones({ city: 'Benchton' }), 200).zones).toEqual([]);
    expect((await zones({ city: 'Leeds', lat: 91 })).response.status).toBe(400);
    const customer = await register(t.api, 'customer');
    expect((await zones({ city: 'Leeds' }, customer.token)).response.status).toBe(403);
  });

  it('validates contact details with readable messages', async () => {
    const vendor = await register(t.api, 'vendor');
    const body = { name: 'Typo Garage', city: 'Leeds', address: '1 A', timezone: 'Europe/London', bays: 1, phone: 'call me', email: 'not-an-email' };
    const res = await t.as(vendor.token).POST('/api/v1/workshops', { body });
    expect(res.response.status).toBe(400);
    const messages = JSON.stringify(res.error);
    expect(messages).toMatch(/Use digits, spaces, brackets or dashes/);
    expect(messages).toMatch(/Enter a valid email address/);
    const short = await t.as(vendor.token).POST('/api/v1/workshops', { body: { ...body, phone: '12 34', email: 'a@b.example' } });
    expect(JSON.stringify(short.error)).toMatch(/7 to 15 digits/);
  });
});

describe('contact on a booking', () => {
  it("shows the workshop's contact to the customer and the customer's phone to that workshop only", async () => {
    const { vendor, workshop, service: svc } = await verifiedWorkshop(t.server, t.api);
    const customer = await register(t.api, 'customer');
    expect(expectStatus(await t.as(customer.token).PATCH('/api/v1/me', { body: { phone: '+44 7700 900123' } }), 200).user.phone).toBe('+44 7700 900123');
    const booking = await confirm(t.api, customer.token, await hold(t.api, customer.token, workshop.id, svc.id, (await slotAhead(t.api, workshop.id)).id));
    const path = { params: { path: { id: booking.id } } };

    const mine = expectStatus(await t.as(customer.token).GET('/api/v1/bookings/{id}', path), 200).booking;
    expect(mine.contact.workshop).toEqual({
      phone: '+44 113 496 0000', email: 'desk@garage.test', address: '1 Test Street', city: 'Leeds',
      mapUrl: 'https://www.openstreetmap.org/?mlat=53.8&mlon=-1.55#map=17/53.8/-1.55',
    });
    const desk = expectStatus(await t.as(vendor.token).GET('/api/v1/bookings/{id}', path), 200).booking;
    expect(desk.contact.customer.phone).toBe('+44 7700 900123');

    // Another vendor and another customer learn nothing.
    const other = await verifiedWorkshop(t.server, t.api);
    const stranger = await register(t.api, 'customer');
    expect((await t.as(other.vendor.token).GET('/api/v1/bookings/{id}', path)).response.status).toBe(404);
    expect((await t.as(stranger.token).GET('/api/v1/bookings/{id}', path)).response.status).toBe(404);

    // Removing the phone is a null.
    expect(expectStatus(await t.as(customer.token).PATCH('/api/v1/me', { body: { phone: null } }), 200).user.phone).toBeNull();
    expect(expectStatus(await t.as(vendor.token).GET('/api/v1/bookings/{id}', path), 200).booking.contact.customer.phone).toBeNull();
    expect((await t.as(customer.token).PATCH('/api/v1/me', { body: {} })).response.status).toBe(400);
  });
});

describe('suspension reaches open pages', () => {
  it("pushes workshop:status to the workshop's watchers when it is suspended and reinstated", async () => {
    const { workshop, admin } = await verifiedWorkshop(t.server, t.api);
    const watcher = await connect(t.server.url);
    try {
      await watchOk(watcher, workshop.id);
      const path = { params: { path: { id: workshop.id } } };
      const suspended = nextEvent(watcher, 'workshop:status');
      expectStatus(await t.as(admin.token).POST('/api/v1/admin/workshops/{id}/suspend', path), 200);
      expect(await suspended).toEqual({ workshopId: workshop.id, status: 'suspended' });
      const back = nextEvent(watcher, 'workshop:status');
      expectStatus(await t.as(admin.token).POST('/api/v1/admin/workshops/{id}/verify', path), 200);
      expect(await back).toEqual({ workshopId: workshop.id, status: 'verified' });
    } finally {
      watcher.close();
    }
  });
});
