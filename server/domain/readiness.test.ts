import { describe, expect, it } from 'vitest';
import type { WorkshopDetailView } from '@shared/schemas/views';
import { placeZones } from '../places/place-zones';
import { insuranceState, readinessOf } from './readiness';

const NOW = Date.UTC(2026, 11, 1, 9);
const ready: WorkshopDetailView = {
  id: '00000000-0000-4000-8000-000000000001', ownerId: '00000000-0000-4000-8000-000000000002', name: 'Ready Garage', slug: 'ready-garage',
  description: null, city: 'Leeds', address: '1 Test Street', lat: null, lng: null, timezone: 'Europe/London',
  phone: '+44 113 496 0000', email: 'desk@garage.test', status: 'pending', bays: 2, slotMinutes: 30, holdTtlSeconds: 120,
  acceptSlaMinutes: 30, autoAccept: false, autoAcceptMoves: false, ratingAvg: 0, ratingCount: 0,
  registrationNumber: 'GB-0123456', insuranceExpiresOn: '2027-06-30',
  services: [{ id: '00000000-0000-4000-8000-000000000003', workshopId: '00000000-0000-4000-8000-000000000001', name: 'MOT', category: 'inspection', durationMinutes: 30, basePriceCents: 5000, currency: 'GBP', options: { skillTiers: [], urgency: [] }, vehicleConstraints: null, active: true }],
  hours: [{ weekday: 1, opens: '08:00', closes: '17:00' }],
  closures: [],
};
const failing = (w: WorkshopDetailView) => readinessOf(w, placeZones, NOW).items.filter((i) => !i.ok).map((i) => i.key);

describe('verification readiness', () => {
  it('is ready with hours, an active service, a matching time zone and both contact details', () => {
    const r = readinessOf(ready, placeZones, NOW);
    expect(r.ready).toBe(true);
    expect(r.items.map((i) => i.key)).toEqual(['hours', 'service', 'timezone', 'contact', 'registration', 'insurance']);
  });

  it('lists every missing item, with what to do', () => {
    const empty = { ...ready, hours: [], services: [{ ...ready.services[0]!, active: false }], phone: null, email: null };
    const r = readinessOf(empty, placeZones, NOW);
    expect(r.ready).toBe(false);
    expect(failing(empty)).toEqual(['hours', 'service', 'contact']);
    expect(r.items.find((i) => i.key === 'contact')!.detail).toBe('Add a phone number and an email address');
    expect(failing({ ...ready, email: null })).toEqual(['contact']);
  });

  it('checks the time zone against the coordinates first, else the city', () => {
    // The case: a UK workshop left on UTC is an hour wrong all summer.
    expect(failing({ ...ready, timezone: 'UTC' })).toEqual(['timezone']);
    expect(readinessOf({ ...ready, timezone: 'UTC' }, placeZones, NOW).items[2]!.detail).toBe('UTC does not match Leeds (expected Europe/London)');
    expect(failing({ ...ready, city: 'New York', timezone: 'America/New_York' })).toEqual([]);
    // Coordinates in New York override a city name that says Leeds.
    expect(failing({ ...ready, lat: 40.71, lng: -74.0 })).toEqual(['timezone']);
    // A zone that keeps the same clock all year (Jersey keeps UK time) is consistent.
    expect(failing({ ...ready, timezone: 'Europe/Jersey' })).toEqual([]);
    // Several cities share a name: any of their zones will do (Bristol, England and Bristol, Connecticut).
    expect(failing({ ...ready, city: 'Bristol', timezone: 'America/New_York' })).toEqual([]);
  });

  it('asks for the map location when it cannot place the city', () => {
    const nowhere = { ...ready, city: 'Benchton' };
    expect(failing(nowhere)).toEqual(['timezone']);
    expect(readinessOf(nowhere, placeZones, NOW).items[2]!.detail).toMatch(/could not place Benchton: add the workshop's map location/);
    expect(failing({ ...nowhere, lat: 53.8, lng: -1.55 })).toEqual([]);
  });

  it('asks for a business registration number and insurance not expired on the workshop\'s own date', () => {
    expect(failing({ ...ready, registrationNumber: null, insuranceExpiresOn: null })).toEqual(['registration', 'insurance']);
    const item = (w: WorkshopDetailView, now = NOW) => readinessOf(w, placeZones, now).items.find((i) => i.key === 'insurance')!;
    // NOW is 2026-12-01 09:00 UTC (09:00 in London).
    expect(item({ ...ready, insuranceExpiresOn: '2026-11-30' })).toMatchObject({ ok: false, detail: 'Expired on 2026-11-30: update the expiry date' });
    // The last covered day itself still counts, as a warning.
    expect(item({ ...ready, insuranceExpiresOn: '2026-12-01' })).toMatchObject({ ok: true, warning: true, detail: 'Expires on 2026-12-01 (today): renew it and update the date' });
    expect(item({ ...ready, insuranceExpiresOn: '2026-12-31' })).toMatchObject({ ok: true, warning: true });
    expect(item({ ...ready, insuranceExpiresOn: '2027-01-01' })).toEqual({ key: 'insurance', label: 'Insurance', ok: true, detail: 'Valid until 2027-01-01' });
    // Late evening UTC on 30 Nov is already 1 Dec in Auckland: the day the workshop lives in counts.
    const lateUtc = Date.UTC(2026, 10, 30, 20);
    expect(item({ ...ready, insuranceExpiresOn: '2026-11-30' }, lateUtc).ok).toBe(true);
    expect(item({ ...ready, city: 'Auckland', timezone: 'Pacific/Auckland', insuranceExpiresOn: '2026-11-30' }, lateUtc).ok).toBe(false);
  });

  it('counts insurance days by calendar date', () => {
    expect(insuranceState(null, '2026-12-01')).toEqual({ state: 'missing', daysLeft: null });
    expect(insuranceState('2026-11-30', '2026-12-01')).toEqual({ state: 'lapsed', daysLeft: -1 });
    expect(insuranceState('2026-12-31', '2026-12-01')).toEqual({ state: 'expiring', daysLeft: 30 });
    expect(insuranceState('2027-01-01', '2026-12-01')).toEqual({ state: 'valid', daysLeft: 31 });
    // Across the spring DST change the count is still whole days.
    expect(insuranceState('2027-04-27', '2027-03-28')).toEqual({ state: 'expiring', daysLeft: 30 });
  });
});
