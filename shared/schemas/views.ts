import { z } from 'zod';
import { serviceOptionsViewSchema } from '../service-options';
import { vehicleConstraintsSchema } from './vehicle';
import { WORKSHOP_STATUSES } from './workshop';

/*
 * Catalog response bodies. Declared as zod schemas so the server's routes document them in
 * /openapi.json (and, under test, check every body against them); the types are inferred.
 */

/** An ISO 8601 instant as the API sends it. */
export const instantOut = z.iso.datetime({ offset: true });

/** A service on a workshop's menu. */
export const serviceViewSchema = z.strictObject({
  id: z.uuid(),
  workshopId: z.uuid(),
  name: z.string(),
  category: z.string(),
  durationMinutes: z.int(),
  basePriceCents: z.int(),
  currency: z.string(),
  options: serviceOptionsViewSchema,
  /** What vehicles this service takes (null: any). */
  vehicleConstraints: vehicleConstraintsSchema.nullable(),
  active: z.boolean(),
});
export type ServiceView = z.infer<typeof serviceViewSchema>;

export const openingHoursViewSchema = z.strictObject({ weekday: z.int(), opens: z.string(), closes: z.string() });
export type OpeningHoursView = z.infer<typeof openingHoursViewSchema>;

export const closureViewSchema = z.strictObject({ id: z.uuid(), date: z.iso.date(), reason: z.string().nullable() });
export type ClosureView = z.infer<typeof closureViewSchema>;

const workshopViewFields = {
  id: z.uuid(),
  ownerId: z.uuid(),
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  city: z.string(),
  address: z.string(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  timezone: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  status: z.enum(WORKSHOP_STATUSES),
  bays: z.int(),
  slotMinutes: z.int(),
  holdTtlSeconds: z.int(),
  acceptSlaMinutes: z.int(),
  autoAccept: z.boolean(),
  autoAcceptMoves: z.boolean(),
  ratingAvg: z.number(),
  ratingCount: z.int(),
  /** Business registration number (null: not given yet). */
  registrationNumber: z.string().nullable(),
  /** Last day covered by the workshop's insurance, 'YYYY-MM-DD' (null: not given yet). */
  insuranceExpiresOn: z.iso.date().nullable(),
};

/** A workshop as the catalog shows it. */
export const workshopViewSchema = z.strictObject(workshopViewFields);
export type WorkshopView = z.infer<typeof workshopViewSchema>;

/** A workshop in search results: when its next free slot starts (null: nothing free ahead). */
export const workshopListItemSchema = z.strictObject({
  ...workshopViewFields,
  nextFreeAt: instantOut.nullable(),
  /** The cheapest active service's base price (in the searched category, if any): "from £x". */
  fromPrice: z.strictObject({ cents: z.int(), currency: z.string() }).nullable(),
});
export type WorkshopListItem = z.infer<typeof workshopListItemSchema>;

export const workshopDetailViewSchema = z.strictObject({
  ...workshopViewFields,
  services: z.array(serviceViewSchema),
  hours: z.array(openingHoursViewSchema),
  closures: z.array(closureViewSchema),
});
export type WorkshopDetailView = z.infer<typeof workshopDetailViewSchema>;
