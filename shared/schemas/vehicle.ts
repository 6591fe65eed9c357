import { z } from 'zod';

/** What a vehicle runs on, as the garage, bookings and service constraints name it. */
export const FUEL_TYPES = ['petrol', 'diesel', 'electric', 'hybrid', 'plug_in_hybrid', 'lpg', 'hydrogen', 'other'] as const;
export type FuelType = (typeof FUEL_TYPES)[number];

export const FUEL_LABELS: Record<FuelType, string> = {
  petrol: 'Petrol',
  diesel: 'Diesel',
  electric: 'Electric',
  hybrid: 'Hybrid',
  plug_in_hybrid: 'Plug-in hybrid',
  lpg: 'LPG / gas',
  hydrogen: 'Hydrogen',
  other: 'Other',
};

/** A UK-style registration as typed: letters, digits, spaces and hyphens; stored upper-case. */
export const registrationSchema = z
  .string()
  .trim()
  .min(2)
  .max(12)
  .regex(/^[A-Za-z0-9 -]+$/, 'Letters, digits, spaces and hyphens only')
  .transform((v) => v.toUpperCase());

/**
 * A VIN as typed (spaces and case forgiven): 17 characters of 0-9 and A-Z without I, O and Q.
 * The check digit is the domain's business (server/domain/vin.ts), so the answer can name it.
 */
export const vinSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/\s+/g, '').toUpperCase());

const make = z.string().trim().min(1).max(40);
const model = z.string().trim().min(1).max(40);
const year = z.number().int().min(1900).max(2100);
const mileage = z.number().int().min(0).max(2_000_000);
const weightKg = z.number().int().min(1).max(100_000);
const colour = z.string().trim().min(1).max(30);

const savedVehicleFields = {
  registration: registrationSchema,
  vin: vinSchema.optional(),
  make: make.optional(),
  model: model.optional(),
  year: year.optional(),
  fuel: z.enum(FUEL_TYPES).optional(),
  mileage: mileage.optional(),
  colour: colour.optional(),
  /** Gross weight, kilograms (a service may have a maximum). */
  weightKg: weightKg.optional(),
};

/** `POST /api/me/vehicles`: a vehicle for the garage; a VIN fills the fields left blank. */
export const createVehicleSchema = z.object(savedVehicleFields).strict();
export type CreateVehicleInput = z.input<typeof createVehicleSchema>;
export type CreateVehicle = z.output<typeof createVehicleSchema>;

/** `PATCH /api/me/vehicles/:id`: the fields to change; `null` clears an optional one. */
export const updateVehicleSchema = z
  .object({
    registration: registrationSchema.optional(),
    vin: vinSchema.nullable().optional(),
    make: make.nullable().optional(),
    model: model.nullable().optional(),
    year: year.nullable().optional(),
    fuel: z.enum(FUEL_TYPES).nullable().optional(),
    mileage: mileage.nullable().optional(),
    colour: colour.nullable().optional(),
    weightKg: weightKg.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to update');
export type UpdateVehicleInput = z.input<typeof updateVehicleSchema>;
export type UpdateVehicle = z.output<typeof updateVehicleSchema>;

/** A vehicle in a customer's garage, as its owner sees it. */
export const savedVehicleViewSchema = z.strictObject({
  id: z.uuid(),
  registration: z.string(),
  vin: z.string().nullable(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  year: z.int().nullable(),
  fuel: z.enum(FUEL_TYPES).nullable(),
  mileage: z.int().nullable(),
  colour: z.string().nullable(),
  weightKg: z.int().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type SavedVehicleView = z.infer<typeof savedVehicleViewSchema>;

export const vehicleListSchema = z.strictObject({ vehicles: z.array(savedVehicleViewSchema) });

/** `GET /api/vehicles/vin/:vin`: what the offline NHTSA vPIC data says of a VIN. */
export const decodedVinSchema = z.strictObject({
  vin: z.string(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  year: z.int().nullable(),
  body: z.string().nullable(),
  engine: z.string().nullable(),
  fuel: z.enum(FUEL_TYPES).nullable(),
  weightKg: z.int().nullable(),
  /** Whether position 9 was checked (VINs for North America carry a check digit; see docs). */
  checkDigitVerified: z.boolean(),
});
export type DecodedVin = z.infer<typeof decodedVinSchema>;

export const vinParamSchema = z.object({ vin: z.string().min(1).max(40) });
export const registrationParamSchema = z.object({ registration: registrationSchema });

/** `GET /api/vehicles/registration/:registration`: what the registration provider (DVLA) holds. */
export const registrationLookupSchema = z.strictObject({
  registration: z.string(),
  make: z.string().nullable(),
  colour: z.string().nullable(),
  year: z.int().nullable(),
  fuel: z.enum(FUEL_TYPES).nullable(),
  weightKg: z.int().nullable(),
  engineCc: z.int().nullable(),
  source: z.literal('dvla'),
});
export type RegistrationLookup = z.infer<typeof registrationLookupSchema>;

/**
 * What a service accepts (absent: any vehicle). A vehicle is refused only on a known
 * contradiction: a fuel, weight or make the booking does not state is not held against it.
 */
export const vehicleConstraintsSchema = z
  .object({
    fuels: z.array(z.enum(FUEL_TYPES)).min(1).max(FUEL_TYPES.length).optional(),
    maxWeightKg: z.number().int().min(1).max(100_000).optional(),
    makes: z.array(z.string().trim().min(1).max(40)).min(1).max(50).optional(),
  })
  .strict();
export type VehicleConstraints = z.infer<typeof vehicleConstraintsSchema>;

/** The vehicle a booking carries: a copy made at confirm, so later garage edits do not rewrite it. */
export const bookingVehicleSchema = z.strictObject({
  registration: z.string(),
  make: z.string().optional(),
  model: z.string().optional(),
  year: z.int().optional(),
  fuel: z.enum(FUEL_TYPES).optional(),
  vin: z.string().optional(),
  mileage: z.int().optional(),
  colour: z.string().optional(),
  weightKg: z.int().optional(),
});
export type BookingVehicle = z.infer<typeof bookingVehicleSchema>;
