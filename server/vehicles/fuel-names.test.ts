import { describe, expect, it } from 'vitest';
import { fuelFromDvla, fuelFromVpic, weightFromGvwr } from './fuel-names';
import { detailsFrom, forDecoding } from './vin-decoder';

describe('provider vocabularies → ours', () => {
  it('maps DVLA fuel types', () => {
    expect(['PETROL', 'DIESEL', 'ELECTRICITY', 'HYBRID ELECTRIC', 'ELECTRIC DIESEL', 'GAS BI-FUEL', 'FUEL CELLS', 'STEAM', ''].map(fuelFromDvla))
      .toEqual(['petrol', 'diesel', 'electric', 'hybrid', 'hybrid', 'lpg', 'hydrogen', 'other', null]);
  });

  it('maps vPIC fuel types', () => {
    expect(['Gasoline', 'Diesel', 'Electric', 'Hybrid', 'Plug-in Hybrid Electric Vehicle (PHEV)', 'Compressed Natural Gas (CNG)', 'Flexible Fuel Vehicle (FFV)', 'Fuel Cell', undefined].map(fuelFromVpic))
      .toEqual(['petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'lpg', 'petrol', 'hydrogen', null]);
  });

  it('takes the upper bound of a vPIC weight class in kg', () => {
    expect(weightFromGvwr('Class 1C: 4,001 - 5,000 lb (1,814 - 2,268 kg)')).toBe(2268);
    expect(weightFromGvwr('Class 1A: 3,000 lb or less (1,360 kg or less)')).toBeNull();
    expect(weightFromGvwr('')).toBeNull();
  });
});

describe('the decoder worker\'s answer', () => {
  it('is unknown when the data has no manufacturer or pattern', () => {
    expect(detailsFrom({ errors: [{ code: '300', severity: 'error', message: 'WMI not found' }], vehicle: null, engine: null })).toBeNull();
    expect(detailsFrom({ errors: [{ code: '400', severity: 'error', message: 'No patterns' }], vehicle: { make: 'Volkswagen', model: null, year: 1999, bodyStyle: null, fuelType: null, gvwr: null }, engine: null })).toBeNull();
  });

  it('keeps warnings (a check digit corgi dislikes) and maps the rest', () => {
    const d = detailsFrom({
      errors: [{ code: '200', severity: 'warning', message: 'Invalid check digit' }],
      vehicle: { make: 'BMW', model: '328i', year: 2012, bodyStyle: 'Sedan', fuelType: 'Gasoline', gvwr: '' },
      engine: { displacement: '2.00', cylinders: '4' },
    });
    expect(d).toEqual({ make: 'BMW', model: '328i', year: 2012, body: 'Sedan', engine: '2.0 L, 4 cylinders', fuel: 'petrol', weightKg: null });
  });

  it('gives corgi a computed 9th character for VINs outside the check-digit regions only', () => {
    expect(forDecoding('WVWZZZ1JZXW000001')).toMatch(/^WVWZZZ1J[0-9X]XW000001$/);
    expect(forDecoding('1HGCM82643A004352')).toBe('1HGCM82643A004352');
  });
});
