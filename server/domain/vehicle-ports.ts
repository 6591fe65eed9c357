import type { CreateVehicle, DecodedVin, FuelType, RegistrationLookup, SavedVehicleView, UpdateVehicle } from '@shared/schemas/vehicle';

/** A garage vehicle's fields as stored (after a VIN filled what was blank). */
export type VehicleFields = Omit<CreateVehicle, 'vin'> & { vin?: string };
export type VehiclePatch = UpdateVehicle;

/** Port: customers' saved vehicles. Every method is scoped to the owner: another's id is simply absent. */
export interface VehicleStore {
  list(ownerId: string): Promise<SavedVehicleView[]>;
  find(ownerId: string, id: string): Promise<SavedVehicleView | null>;
  count(ownerId: string): Promise<number>;
  /** null when the owner already has a vehicle with this registration. */
  create(ownerId: string, fields: VehicleFields): Promise<SavedVehicleView | 'DUPLICATE'>;
  update(ownerId: string, id: string, patch: VehiclePatch): Promise<SavedVehicleView | null | 'DUPLICATE'>;
  remove(ownerId: string, id: string): Promise<boolean>;
}

/** What a VIN decodes to (the domain adds the VIN and whether its check digit was verified). */
export type VinDetails = Omit<DecodedVin, 'vin' | 'checkDigitVerified'>;

/** Port: offline VIN decoding; null when the data does not know the VIN. Throws when the decoder itself fails. */
export interface VinDecoder {
  decode(vin: string): Promise<VinDetails | null>;
}

export type RegistrationAnswer =
  | { ok: true; vehicle: Omit<RegistrationLookup, 'source'> }
  | { ok: false; failure: 'invalid' }
  | { ok: false; failure: 'not_found' }
  | { ok: false; failure: 'unavailable'; why: 'not_configured' | 'throttled' | 'provider_error' | 'timeout' | 'network'; retryAfterSec?: number };

/** Port: a registration → vehicle provider (the DVLA Vehicle Enquiry Service). Never throws. */
export interface RegistrationProvider {
  lookup(registration: string): Promise<RegistrationAnswer>;
}

export type { FuelType };
