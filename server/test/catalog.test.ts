import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_WEEK, READY_CONTACT, createAdmin, register, verifiedWorkshop } from './fixtures';
import { expectStatus, useTestServer } from './harness';

const t = useTestServer();

describe('vendor onboarding → admin verification → public listing', () => {
  it('walks the whole path (through the typed client)', async () => {
    const vendor = await register(t.api, 'vendor');
    const admin = await createAdmin(t.server, t.api);
    const [asVendor, asAdmin, anyone] = [t.as(vendor.token), t.as(admin.token), t.as()];
    const city = `City-${randomUUID().slice(0, 6)}`;
    const search = async (query: { city?: string; category?: 'brakes' | 'tyres'; q?: string }) =>
      expectStatus(await anyone.GET('/api/v1/workshops', { params: { query } }), 200).workshops.map((w) => w.id);

    const body = { name: 'Spanner & Sons', city, address: '9 Forge Lane', timezone: 'Europe/London', bays: 3, ...READY_CONTACT };
    const ws = expectStatus(await asVendor.POST('/api/v1/workshops', { body }), 201).workshop;
    expect(ws).toMatchObject({ status: 'pending', bays: 3, slotMinutes: 30, holdTtlSeconds: 120, autoAccept: false, ownerId: vendor.id });
    expect(ws.slug).toMatch(/^spanner-sons-[0-9a-f]{6}$/);
    const path = { params: { path: { id: ws.id } } };

    // Pending: invisible to the public, listed in the admin queue.
    expect(await search({ city })).toHaveLength(0);
    expect((await anyone.GET('/api/v1/workshops/{id}', path)).response.status).toBe(404);
    const queue = expectStatus(await asAdmin.GET('/api/v1/admin/workshops', { params: { query: { status: 'pending' } } }), 200);
    expect(queue.workshops.map((w) => w.id)).toContain(ws.id);

    expectStatus(await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: ALL_WEEK }), 200);
    const service = {
      name: 'Brake pads – front', category: 'brakes' as const, durationMinutes: 90, basePriceCents: 14900, currency: 'GBP',
      options: { skillTiers: [{ id: 'master', label: 'Master technician', multiplier: 1.25 }], urgency: [{ id: 'same-day', label: 'Same day', multiplier: 1.5 }] },
    };
    const svc = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: service }), 201);
    expect(svc.service.options.skillTiers[0]!.multiplier).toBe(1.25);

    const verified = expectStatus(await asAdmin.POST('/api/v1/admin/workshops/{id}/verify', path), 200);
    expect(verified.workshop.status).toBe('verified');

    expect(await search({ city: city.toLowerCase() })).toEqual([ws.id]);
    const [card] = expectStatus(await anyone.GET('/api/v1/workshops', { params: { query: { city, category: 'brakes' } } }), 200).workshops;
    expect(card!.fromPrice).toEqual({ cents: 14900, currency: 'GBP' });
    expect(await search({ city, category: 'brakes' })).toHaveLength(1);
    expect(await search({ city, category: 'tyres' })).toHaveLength(0);
    expect(await search({ city, q: 'spanner' })).toHaveLength(1);

    const detail = expectStatus(await anyone.GET('/api/v1/workshops/{id}', path), 200);
    expect(detail.workshop.services).toHaveLength(1);
    expect(detail.workshop.hours).toHaveLength(7);

    const avail = expectStatus(await anyone.GET('/api/v1/workshops/{id}/availability', path), 200);
    expect(avail.workshopId).toBe(ws.id);
    expect(avail.slots.length).toBeGreaterThan(0);
    const slot = avail.slots[0]!;
    expect(slot).toMatchObject({ capacity: 3, booked: 0, held: 0, free: 3 });
    expect(new Date(slot.endsAt).getTime() - new Date(slot.startsAt).getTime()).toBe(30 * 60_000);
    expect(typeof avail.seq).toBe('number');
  });

  it('sorts by earliest free slot and says when each workshop is next free', async () => {
    const city = `Soon-${randomUUID().slice(0, 6)}`;
    const a = await verifiedWorkshop(t.server, t.api, { city, bays: 1 });
    const b = await verifiedWorkshop(t.server, t.api, { city, bays: 1 });
    const slotsOf = async (id: string) => expectStatus(await t.as().GET('/api/v1/workshops/{id}/availability', { params: { path: { id } } }), 200).slots;
    const [aSlots, bSlots] = await Promise.all([slotsOf(a.workshop.id), slotsOf(b.workshop.id)]);
    // A's first four slots are fully booked, so B is free sooner.
    await t.server.orm.em.getConnection().execute('update slot set booked = capacity where id in (?)', [aSlots.slice(0, 4).map((s) => s.id)]);
    const res = expectStatus(await t.as().GET('/api/v1/workshops', { params: { query: { city, sort: 'soonest' } } }), 200);
    expect(res.workshops.map((w) => w.id)).toEqual([b.workshop.id, a.workshop.id]);
    expect(res.workshops[0]!.nextFreeAt).toBe(bSlots[0]!.startsAt);
    expect(res.workshops[1]!.nextFreeAt).toBe(aSlots[4]!.startsAt);
  });

  it('retiring a service hides it from the public menu but keeps it for the owner', async () => {
    const vendor = await register(t.api, 'vendor');
    const admin = await createAdmin(t.server, t.api);
    const asVendor = t.as(vendor.token);
    const ws = expectStatus(await asVendor.POST('/api/v1/workshops', { body: { name: 'Retire Co', city: 'Hull', address: '1 A', timezone: 'Europe/London', bays: 1, ...READY_CONTACT } }), 201).workshop;
    const path = { params: { path: { id: ws.id } } };
    const serviceBody = { name: 'Wash', category: 'other' as const, durationMinutes: 30, basePriceCents: 900, currency: 'GBP' };
    const svc = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: serviceBody }), 201).service;
    expectStatus(await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: ALL_WEEK }), 200);
    expectStatus(await t.as(admin.token).POST('/api/v1/admin/workshops/{id}/verify', path), 200);
    const onService = { params: { path: { id: ws.id, serviceId: svc.id } } };
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/services/{serviceId}', onService)).response.status).toBe(204);
    expect(expectStatus(await t.as().GET('/api/v1/workshops/{id}', path), 200).workshop.services).toHaveLength(0);
    const own = expectStatus(await asVendor.GET('/api/v1/workshops/{id}', path), 200);
    expect(own.workshop.services[0]).toMatchObject({ id: svc.id, active: false });
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/services/{serviceId}', onService)).response.status).toBe(404);
  });

  it('closures: one per day, removable, 409 on a duplicate', async () => {
    const vendor = await register(t.api, 'vendor');
    const asVendor = t.as(vendor.token);
    const ws = expectStatus(await asVendor.POST('/api/v1/workshops', { body: { name: 'Close Co', city: 'Hull', address: '1 A', timezone: 'Europe/London', bays: 1 } }), 201).workshop;
    const path = { params: { path: { id: ws.id } } };
    const c = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/closures', { ...path, body: { date: '2030-12-25', reason: 'Christmas' } }), 201);
    const dup = await asVendor.POST('/api/v1/workshops/{id}/closures', { ...path, body: { date: '2030-12-25' } });
    expect(dup.response.status).toBe(409);
    expect(dup.error!.error.code).toBe('CONFLICT');
    const onClosure = { params: { path: { id: ws.id, closureId: c.closure.id } } };
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/closures/{closureId}', onClosure)).response.status).toBe(204);
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/closures/{closureId}', onClosure)).response.status).toBe(404);
  });
});
