import { describe, expect, it } from 'vitest';
import { register, verifiedWorkshop } from './fixtures';
import { expectStatus, useTestServer } from './harness';

const t = useTestServer();

/** Through the typed client: paths, bodies and answers are checked against the contract. */
const availability = async (workshopId: string) =>
  expectStatus(await t.as().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshopId } } }), 200).slots;

const firstFreeSlot = async (workshopId: string, skip = 4) => (await availability(workshopId))[skip]!;

describe('hold → confirm → lifecycle', () => {
  it('holds, confirms, shows the booking to both sides, and the vendor accepts', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(t.server, t.api, { bays: 2 });
    const customer = await register(t.api, 'customer', 'Carla Customer');
    const asCustomer = t.as(customer.token);
    const asVendor = t.as(vendor.token);
    const slot = await firstFreeSlot(workshop.id);

    const { hold } = expectStatus(await asCustomer.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId: slot.id } }), 201);
    expect(hold.slotIds).toEqual([slot.id]);
    expect(Date.parse(hold.expiresAt) - Date.now()).toBeGreaterThan(100_000);

    const during = (await availability(workshop.id)).find((s) => s.id === slot.id);
    expect(during).toMatchObject({ capacity: 2, booked: 0, held: 1, free: 1 });

    const confirm = (holdId: string, extra: { vehicle?: { registration: string; make?: string }; notes?: string } = {}) =>
      asCustomer.POST('/api/v1/bookings', { body: { holdId, ...extra }, params: { header: { 'idempotency-key': 'k-1' } } });
    const { booking } = expectStatus(await confirm(hold.id, { vehicle: { registration: 'ab12 cde', make: 'Ford' }, notes: 'Squeaky brakes' }), 201);
    expect(booking).toMatchObject({ status: 'pending', priceCents: 4999, currency: 'GBP', customerName: 'Carla Customer', slotIds: [slot.id], version: 1 });
    expect(booking.vehicle?.registration).toBe('AB12 CDE');
    expect(booking.acceptDeadline).not.toBeNull();

    const after = (await availability(workshop.id)).find((s) => s.id === slot.id);
    expect(after).toMatchObject({ capacity: 2, booked: 1, held: 0, free: 1 });

    const replay = expectStatus(await confirm(hold.id), 200);
    expect(replay.booking.id).toBe(booking.id);

    // The same key for another hold is a client bug: refused, and that hold is left as it was.
    const other = expectStatus(
      await asCustomer.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId: (await firstFreeSlot(workshop.id, 6)).id } }),
      201,
    );
    const reused = await confirm(other.hold.id);
    expect(reused.response.status).toBe(422);
    expect(reused.error?.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await asCustomer.DELETE('/api/v1/holds/{id}', { params: { path: { id: other.hold.id } } })).response.status).toBe(204);

    expect(expectStatus(await asCustomer.GET('/api/v1/bookings'), 200).bookings.map((b) => b.id)).toEqual([booking.id]);
    expect(expectStatus(await asVendor.GET('/api/v1/bookings'), 200).bookings.map((b) => b.id)).toContain(booking.id);

    const act = (as: typeof asVendor, action: 'accept' | 'cancel', body?: { reason: string }) =>
      as.POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: booking.id, action } }, body });
    const accepted = expectStatus(await act(asVendor, 'accept'), 200);
    expect(accepted.booking).toMatchObject({ status: 'accepted', version: 2, acceptDeadline: null });

    const detail = expectStatus(await asCustomer.GET('/api/v1/bookings/{id}', { params: { path: { id: booking.id } } }), 200);
    expect(detail.booking.events.map((e) => e.type)).toEqual(['requested', 'accepted']);

    const cancelled = expectStatus(await act(asCustomer, 'cancel', { reason: 'Plans changed' }), 200);
    expect(cancelled.booking.status).toBe('cancelled');
    const back = (await availability(workshop.id)).find((s) => s.id === slot.id);
    expect(back).toMatchObject({ capacity: 2, booked: 0, held: 0, free: 2 });
    const [row] = await t.server.orm.em.getConnection().execute<Array<{ booked: number }>>('select booked from slot where id = ?', [slot.id]);
    expect(row?.booked).toBe(0);
  });
});
