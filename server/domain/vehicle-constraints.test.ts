import { describe, expect, it } from 'vitest';
import { vehicleRefusal } from './vehicle-constraints';

describe('service vehicle constraints', () => {
  it('takes any vehicle when there are none', () => {
    expect(vehicleRefusal(null, { fuel: 'diesel', weightKg: 40_000, make: 'Scania' })).toBeNull();
    expect(vehicleRefusal({}, { fuel: 'diesel' })).toBeNull();
  });

  it('EV-only and not-EV services', () => {
    const evOnly = { fuels: ['electric' as const] };
    expect(vehicleRefusal(evOnly, { fuel: 'electric' })).toBeNull();
    expect(vehicleRefusal(evOnly, { fuel: 'petrol' })).toMatchObject({ reason: 'fuel', message: 'This service takes electric vehicles only, and this one is petrol' });
    const notEv = { fuels: ['petrol' as const, 'diesel' as const, 'hybrid' as const] };
    expect(vehicleRefusal(notEv, { fuel: 'electric' })).toMatchObject({ reason: 'fuel', allowed: ['petrol', 'diesel', 'hybrid'] });
    expect(vehicleRefusal(notEv, { fuel: 'hybrid' })).toBeNull();
  });

  it('maximum weight, inclusive', () => {
    expect(vehicleRefusal({ maxWeightKg: 3500 }, { weightKg: 3500 })).toBeNull();
    expect(vehicleRefusal({ maxWeightKg: 3500 }, { weightKg: 3501 })).toMatchObject({ reason: 'weight', maxWeightKg: 3500, message: expect.stringContaining('3501 kg') });
  });

  it('makes, case and spaces forgiven', () => {
    expect(vehicleRefusal({ makes: ['Land Rover', 'Jaguar'] }, { make: ' land rover ' })).toBeNull();
    expect(vehicleRefusal({ makes: ['Land Rover', 'Jaguar'] }, { make: 'Ford' })).toMatchObject({ reason: 'make', message: 'This service takes Land Rover, Jaguar vehicles only, not Ford' });
  });

  it('holds nothing the booking does not state against it', () => {
    const all = { fuels: ['electric' as const], maxWeightKg: 2000, makes: ['Tesla'] };
    expect(vehicleRefusal(all, {})).toBeNull();
    expect(vehicleRefusal(all, { fuel: null, weightKg: null, make: null })).toBeNull();
  });

  it('names the first broken rule: fuel, then weight, then make', () => {
    const all = { fuels: ['electric' as const], maxWeightKg: 2000, makes: ['Tesla'] };
    expect(vehicleRefusal(all, { fuel: 'diesel', weightKg: 3000, make: 'Ford' })?.reason).toBe('fuel');
    expect(vehicleRefusal(all, { fuel: 'electric', weightKg: 3000, make: 'Ford' })?.reason).toBe('weight');
    expect(vehicleRefusal(all, { fuel: 'electric', weightKg: 1900, make: 'Ford' })?.reason).toBe('make');
  });
});
