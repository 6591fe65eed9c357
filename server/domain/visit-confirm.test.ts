import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from './actor';
import { DomainError } from './errors';
import { fakeBookingDomain, type FakeBookingDomain } from './testing';

/*
 * A visit's confirm against in-memory ports: the booking carries every service with its quoted
 * price (the read path and the cached-rows path alike), a retired service of the visit gives the
 * hold back, and a vehicle must suit every service.
 */

const DAY = 86_400_000;

async function arrangeVisit(d: FakeBookingDomain) {
  const { workshop, service: oil } = d.workshops.add();
  const mot = { ...oil, id: randomUUID(), name: 'MOT test', durationMinutes: 60, basePriceCents: 5485 };
  d.workshops.setService(mot.id, mot);
  const slots = d.slots.add(workshop.id, new Date(d.clock.now() + 2 * DAY), 4, 2);
  const who: Principal = { id: randomUUID(), role: 'customer' };
  const seeds = slots.slice(0, 3).map((s) => ({ slotId: s.id, capacity: s.capacity, booked: s.booked }));
  const r = await d.holds.hold({
    workshopId: workshop.id, serviceId: oil.id, customerId: who.id, slots: seeds, ttlMs: 120_000, maxActivePerCustomer: 5,
    quote: { priceCents: 4999 + 5485, currency: 'GBP' },
    services: [
      { serviceId: oil.id, options: {}, priceCents: 4999, durationMinutes: 30 },
      { serviceId: mot.id, options: {}, priceCents: 5485, durationMinutes: 60 },
    ],
  });
  if (!r.ok) throw new Error(`arrange: hold refused ${r.code}`);
  d.publisher.clear();
  return { workshop, oil, mot, slots, who, hold: r.hold };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError, got a result');
}

describe('confirming a visit', () => {
  it.each([false, true])('books one job with every service and the summed price (rows from the catalog: %s)', async (cached) => {
    const d = fakeBookingDomain();
    const { oil, mot, slots, who, hold } = await arrangeVisit(d);
    if (cached) await d.remember(hold);
    const { booking } = await d.confirms.confirm(who, { holdId: hold.id });
    expect(booking).toMatchObject({
      serviceId: oil.id, serviceName: 'Oil change + MOT test', priceCents: 10484, slotIds: slots.slice(0, 3).map((s) => s.id),
      services: [
        { serviceId: oil.id, name: 'Oil change', durationMinutes: 30, priceCents: 4999 },
        { serviceId: mot.id, name: 'MOT test', durationMinutes: 60, priceCents: 5485 },
      ],
    });
    expect(slots.map((s) => d.slots.get(s.id).booked)).toEqual([1, 1, 1, 0]);
  });

  it.each([false, true])('a service of the visit retired after the hold: SERVICE_RETIRED naming it, the units go back (cached rows: %s)', async (cached) => {
    const d = fakeBookingDomain();
    const { workshop, mot, slots, who, hold } = await arrangeVisit(d);
    if (cached) await d.remember(hold);
    d.workshops.setService(mot.id, { active: false });
    const err = await refusal(d.confirms.confirm(who, { holdId: hold.id }));
    expect([err.code, err.message]).toEqual(['SERVICE_RETIRED', expect.stringContaining('MOT test')]);
    expect(d.holds.countsOf(workshop.id, slots.slice(0, 3).map((s) => s.id)).map((c) => [c.held, c.booked])).toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('a vehicle one service does not take: VEHICLE_NOT_SUPPORTED naming that service; nothing booked, the hold kept', async () => {
    const d = fakeBookingDomain();
    const { mot, slots, who, hold } = await arrangeVisit(d);
    d.workshops.setService(mot.id, { vehicleConstraints: { fuels: ['petrol', 'diesel'] } });
    const err = await refusal(d.confirms.confirm(who, { holdId: hold.id, vehicle: { registration: 'EV12 CAR', fuel: 'electric' } }));
    expect(err.code).toBe('VEHICLE_NOT_SUPPORTED');
    expect(err.message).toMatch(/^MOT test: /);
    expect(err.details).toMatchObject({ serviceId: mot.id, reason: 'fuel' });
    expect(await d.holds.findHold(hold.id)).not.toBeNull();
    expect(slots.map((s) => d.slots.get(s.id).booked)).toEqual([0, 0, 0, 0]);
  });
});
