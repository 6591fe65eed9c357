import type { CreateVehicle, DecodedVin, RegistrationLookup, SavedVehicleView, UpdateVehicle } from '@shared/schemas/vehicle';
import type { Principal } from './actor';
import type { VehicleInput } from './booking-ports';
import { DomainError, notFound } from './errors';
import type { RegistrationProvider, VehicleFields, VehicleStore, VinDecoder, VinDetails } from './vehicle-ports';
import { checkDigitRequired, normalizeVin, vinProblem } from './vin';

/** Vehicles one customer may keep in the garage. */
export const MAX_VEHICLES_PER_CUSTOMER = 20;

/** The fields a VIN's details fill when they are blank. */
const FILLED_FROM_VIN = ['make', 'model', 'year', 'fuel', 'weightKg'] as const;

const duplicate = (registration: string) => new DomainError('CONFLICT', `${registration} is already in your garage`);

/** The garage copy a booking keeps: only the details that are set. */
export function bookingCopyOf(v: SavedVehicleView): VehicleInput {
  const copy: VehicleInput = { registration: v.registration };
  if (v.make) copy.make = v.make;
  if (v.model) copy.model = v.model;
  if (v.year != null) copy.year = v.year;
  if (v.fuel) copy.fuel = v.fuel;
  if (v.vin) copy.vin = v.vin;
  if (v.mileage != null) copy.mileage = v.mileage;
  if (v.colour) copy.colour = v.colour;
  if (v.weightKg != null) copy.weightKg = v.weightKg;
  return copy;
}

/** A customer's garage, VIN decoding and registration lookup. */
export function createVehicles(deps: { store: VehicleStore; vin: VinDecoder; registrations: RegistrationProvider }) {
  const { store } = deps;

  const customerOnly = (p: Principal) => {
    if (p.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customer accounts have a garage');
  };

  /** A normalized, well-formed VIN (check digit where its region requires one), or VIN_INVALID. */
  function validVin(raw: string): string {
    const vin = normalizeVin(raw);
    const problem = vinProblem(vin);
    if (problem) throw new DomainError('VIN_INVALID', problem.message, problem);
    return vin;
  }

  async function decode(raw: string): Promise<DecodedVin> {
    const vin = validVin(raw);
    let details: VinDetails | null;
    try {
      details = await deps.vin.decode(vin);
    } catch {
      throw new DomainError('LOOKUP_UNAVAILABLE', 'VIN decoding is unavailable right now; enter the details by hand', { why: 'decoder_failed' });
    }
    if (!details || (!details.make && !details.model)) {
      throw new DomainError('VIN_UNKNOWN', 'This VIN is well formed but the vehicle data we hold does not know it; enter the details by hand');
    }
    return { vin, ...details, checkDigitVerified: checkDigitRequired(vin) };
  }

  /** Details a VIN gives, or nothing when it is unknown or the decoder fails (saving never depends on it). */
  async function detailsOrNothing(vin: string): Promise<Partial<VinDetails>> {
    try {
      return (await deps.vin.decode(vin)) ?? {};
    } catch {
      return {};
    }
  }

  /** Fills the blank fields from the VIN's details (what the customer typed always wins). */
  function fillBlanks(fields: VehicleFields, d: Partial<VinDetails>): VehicleFields {
    const out: Record<string, unknown> = { ...fields };
    for (const k of FILLED_FROM_VIN) if (out[k] == null && d[k] != null) out[k] = d[k];
    return out as VehicleFields;
  }

  return {
    decode,

    async lookupRegistration(registration: string): Promise<RegistrationLookup> {
      const answer = await deps.registrations.lookup(registration);
      if (answer.ok) return { ...answer.vehicle, source: 'dvla' };
      if (answer.failure === 'invalid') throw new DomainError('REGISTRATION_INVALID', `${registration} is not a registration the DVLA accepts; check it`);
      if (answer.failure === 'not_found') throw new DomainError('REGISTRATION_NOT_FOUND', `The DVLA has no vehicle registered as ${registration}; check it, or enter the details by hand`);
      const message = answer.why === 'not_configured'
        ? 'Registration lookup is not set up here; enter the details by hand'
        : 'Registration lookup is unavailable right now; enter the details by hand, or try again later';
      throw new DomainError('LOOKUP_UNAVAILABLE', message, { why: answer.why, ...(answer.retryAfterSec ? { retryAfterSec: answer.retryAfterSec } : {}) });
    },

    async list(p: Principal): Promise<SavedVehicleView[]> {
      customerOnly(p);
      return store.list(p.id);
    },

    async get(p: Principal, id: string): Promise<SavedVehicleView> {
      customerOnly(p);
      const v = await store.find(p.id, id);
      if (!v) throw notFound('Vehicle');
      return v;
    },

    async create(p: Principal, input: CreateVehicle): Promise<SavedVehicleView> {
      customerOnly(p);
      if ((await store.count(p.id)) >= MAX_VEHICLES_PER_CUSTOMER) {
        throw new DomainError('CONFLICT', `A garage holds at most ${MAX_VEHICLES_PER_CUSTOMER} vehicles; remove one first`, { max: MAX_VEHICLES_PER_CUSTOMER });
      }
      let fields: VehicleFields = { ...input, vin: undefined };
      if (input.vin) {
        const vin = validVin(input.vin);
        fields = fillBlanks({ ...input, vin }, await detailsOrNothing(vin));
      }
      const made = await store.create(p.id, fields);
      if (made === 'DUPLICATE') throw duplicate(input.registration);
      return made;
    },

    async update(p: Principal, id: string, patch: UpdateVehicle): Promise<SavedVehicleView> {
      customerOnly(p);
      let next = patch;
      if (patch.vin) {
        const vin = validVin(patch.vin);
        const current = await store.find(p.id, id);
        if (!current) throw notFound('Vehicle');
        // Blank means blank after this change: a field the patch clears, or one the vehicle lacks and the patch leaves.
        const details = await detailsOrNothing(vin);
        const filled: Record<string, unknown> = { ...patch, vin };
        for (const k of FILLED_FROM_VIN) {
          const after = k in patch ? patch[k] : current[k];
          if (after == null && details[k] != null) filled[k] = details[k];
        }
        next = filled as UpdateVehicle;
      }
      const updated = await store.update(p.id, id, next);
      if (updated === 'DUPLICATE') throw duplicate(patch.registration ?? '');
      if (!updated) throw notFound('Vehicle');
      return updated;
    },

    async remove(p: Principal, id: string): Promise<void> {
      customerOnly(p);
      if (!(await store.remove(p.id, id))) throw notFound('Vehicle');
    },

    /** The copy of a garage vehicle a booking keeps; NOT_FOUND for another customer's (or no) vehicle. */
    async bookingCopy(customerId: string, id: string): Promise<VehicleInput> {
      const v = await store.find(customerId, id);
      if (!v) throw notFound('Vehicle');
      return bookingCopyOf(v);
    },
  };
}

export type VehiclesService = ReturnType<typeof createVehicles>;
