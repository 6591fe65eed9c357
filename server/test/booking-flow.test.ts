import { describe, expect, it } from 'vitest';
import { register, verifiedWorkshop } from './fixtures';
import { useTestServer } from './harness';

const t = useTestServer();

const firstFreeSlot = async (workshopId: string, skip = 4) => {
  const a = await t.api.get(`/api/workshops/${workshopId}/availability`);
  return a.body.slots[skip] as { id: string; startsAt: string; free: number };
};

describe('hold → confirm → lifecycle', () => {
  it('holds, confirms, shows the booking to both sides, and the vendor accepts', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(t.server, t.api, { bays: 2 });
    const customer = await register(t.api, 'customer', 'Carla Customer');
    const slot = await firstFreeSlot(workshop.id);

    const hold = await t.api.post('/api/holds', { workshopId: workshop.id, serviceId: service.id, slotId: slot.id }, customer.token);
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    expect(hold.body.hold.slotIds).toEqual([slot.id]);
    expect(Date.parse(hold.body.hold.expiresAt) - Date.now()).toBeGreaterThan(100_000);

    const during = (await t.api.get(`/api/workshops/${workshop.id}/availability`)).body.slots.find((s: { id: string }) => s.id === slot.id);
    expect(during).toMatchObject({ capacity: 2, booked: 0, held: 1, free: 1 });

    const confirm = await t.api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'ab12 cde', make: 'Ford' }, notes: 'Squeaky brakes' }, customer.token, { 'Idempotency-Key': 'k-1' });
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(201);
    const booking = confirm.body.booking;
    expect(booking).toMatchObject({ status: 'pending', priceCents: 4999, currency: 'GBP', customerName: 'Carla Customer', slotIds: [slot.id], version: 1 });
    expect(booking.vehicle.registration).toBe('AB12 CDE');
    expect(booking.acceptDeadline).not.toBeNull();

    const after = (await t.api.get(`/api/workshops/${workshop.id}/availability`)).body.slots.find((s: { id: string }) => s.id === slot.id);
    expect(after).toMatchObject({ capacity: 2, booked: 1, held: 0, free: 1 });

    const replay = await t.api.post('/api/bookings', { holdId: hold.body.hold.id }, customer.token, { 'Idempotency-Key': 'k-1' });
    expect(replay.status).toBe(200);
    expect(replay.body.booking.id).toBe(booking.id);

    // The same key for another hold is a client bug: refused, and that hold is left as it was.
    const other = await t.api.post('/api/holds', { workshopId: workshop.id, serviceId: service.id, slotId: (await firstFreeSlot(workshop.id, 6)).id }, customer.token);
    const reused = await t.api.post('/api/bookings', { holdId: other.body.hold.id }, customer.token, { 'Idempotency-Key': 'k-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await t.api.del(`/api/holds/${other.body.hold.id}`, customer.token)).status).toBe(204);

    expect((await t.api.get('/api/bookings', customer.token)).body.bookings.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    expect((await t.api.get('/api/bookings', vendor.token)).body.bookings.map((b: { id: string }) => b.id)).toContain(booking.id);

    const accepted = await t.api.post(`/api/bookings/${booking.id}/accept`, undefined, vendor.token);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.booking).toMatchObject({ status: 'accepted', version: 2, acceptDeadline: null });

    const detail = await t.api.get(`/api/bookings/${booking.id}`, customer.token);
    expect(detail.body.booking.events.map((e: { type: string }) => e.type)).toEqual(['requested', 'accepted']);

    const cancelled = await t.api.post(`/api/bookings/${booking.id}/cancel`, { reason: 'Plans changed' }, customer.token);
    expect(cancelled.body.booking.status).toBe('cancelled');
    const back = (await t.api.get(`/api/workshops/${workshop.id}/availability`)).body.slots.find((s: { id: string }) => s.id === slot.id);
    expect(back).toMatchObject({ capacity: 2, booked: 0, held: 0, free: 2 });
    const [row] = await t.server.orm.em.getConnection().execute<Array<{ booked: number }>>('select booked from slot where id = ?', [slot.id]);
    expect(row?.booked).toBe(0);
  });
});
