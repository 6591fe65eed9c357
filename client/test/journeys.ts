import { expect } from 'vitest';
import type { SlotView } from '@shared/availability';
import type { offsetClock } from '../../server/domain/clock';
import type { Account } from '../../server/test/fixtures';
import type { ApiClient } from '../../server/test/harness';

/*
 * Bookings the browser tests start from, made through the API as their people would make them.
 */

interface Shop {
  workshop: { id: string };
  service: { id: string };
  vendor: Account;
}

/** A booking of `customer` on a free slot from tomorrow on, accepted, started and completed at its booked time (the server's clock jumps there and back). */
export async function completedBooking(api: ApiClient, shop: Shop, customer: Account, serverClock: ReturnType<typeof offsetClock>, confirm: Record<string, unknown> = {}) {
  const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
  const slot = slots.find((s) => Date.parse(s.startsAt) > Date.now() + 86_400_000 && s.free > 0)!;
  const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
  const booking = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'CM12 PLT' }, ...confirm }, customer.token)).body.booking;
  expect((await api.post(`/api/bookings/${booking.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);
  serverClock.jumpTo(Date.parse(booking.startsAt));
  try {
    for (const action of ['start', 'complete']) expect((await api.post(`/api/bookings/${booking.id}/${action}`, undefined, shop.vendor.token)).status).toBe(200);
  } finally {
    serverClock.reset();
  }
  return booking as { id: string; priceCents: number; startsAt: string };
}
