import { FUEL_LABELS, type FuelType, type VehicleConstraints } from '@shared/schemas/vehicle';

/** What the check needs to know of a vehicle; anything absent is not held against it. */
export interface VehicleFacts {
  make?: string | null;
  fuel?: FuelType | null;
  weightKg?: number | null;
}

export type ConstraintRefusal =
  | { reason: 'fuel'; message: string; allowed: FuelType[] }
  | { reason: 'weight'; message: string; maxWeightKg: number }
  | { reason: 'make'; message: string; allowed: string[] };

const sameMake = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Does this service take this vehicle? Pure: the confirm uses it now, matching later. A vehicle
 * is refused only on a known contradiction (a stated fuel not allowed, a stated weight over the
 * maximum, a stated make not listed); a detail the booking does not state passes, and the
 * workshop sees the vehicle on the request.
 */
export function vehicleRefusal(constraints: VehicleConstraints | null | undefined, v: VehicleFacts): ConstraintRefusal | null {
  if (!constraints) return null;
  if (constraints.fuels && v.fuel && !constraints.fuels.includes(v.fuel)) {
    const allowed = constraints.fuels.map((f) => FUEL_LABELS[f].toLowerCase()).join(', ');
    return { reason: 'fuel', allowed: constraints.fuels, message: `This service takes ${allowed} vehicles only, and this one is ${FUEL_LABELS[v.fuel].toLowerCase()}` };
  }
  if (constraints.maxWeightKg !== undefined && v.weightKg != null && v.weightKg > constraints.maxWeightKg) {
    return { reason: 'weight', maxWeightKg: constraints.maxWeightKg, message: `This service takes vehicles up to ${constraints.maxWeightKg} kg, and this one weighs ${v.weightKg} kg` };
  }
  if (constraints.makes && v.make && !constraints.makes.some((m) => sameMake(m, v.make!))) {
    return { reason: 'make', allowed: constraints.makes, message: `This service takes ${constraints.makes.join(', ')} vehicles only, not ${v.make}` };
  }
  return null;
}
