import { z } from 'zod';
import { emailSchema, phoneSchema } from './contact';
import { calendarDateSchema, checkWindow, windowFields } from './dates';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24-hour)');

function isIanaZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = z.string().min(1).max(64).refine(isIanaZone, 'Unknown IANA time zone');

const workshopFields = {
  name: z.string().trim().min(2).max(120),
  description: z.string().trim().max(2000).nullable().optional(),
  city: z.string().trim().min(1).max(80),
  address: z.string().trim().min(1).max(200),
  lat: z.number().min(-90).max(90).nullable().optional(),
  lng: z.number().min(-180).max(180).nullable().optional(),
  timezone: timezoneSchema,
  /** Public contact details: customers see them on the workshop page and on their bookings. */
  phone: phoneSchema.nullable().optional(),
  email: emailSchema.nullable().optional(),
  bays: z.number().int().min(1).max(50),
  slotMinutes: z.number().int().min(5).max(240).refine((m) => 1440 % m === 0, 'Slot length must divide a day').optional(),
  holdTtlSeconds: z.number().int().min(30).max(1800).optional(),
  acceptSlaMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  autoAccept: z.boolean().optional(),
  /** Moves of accepted bookings take effect at once; otherwise each is a request the desk accepts. */
  autoAcceptMoves: z.boolean().optional(),
  /** The business registration number (company or trade register), checked before verification. */
  registrationNumber: z.string().trim().min(2, 'At least 2 characters').max(40, 'At most 40 characters').nullable().optional(),
  /** The last day the workshop's liability insurance covers; past it the workshop is re-verified. */
  insuranceExpiresOn: calendarDateSchema.nullable().optional(),
};

export const createWorkshopSchema = z.object(workshopFields).strict();
export type CreateWorkshopInput = z.input<typeof createWorkshopSchema>;

export const updateWorkshopSchema = z
  .object(workshopFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to update');
export type UpdateWorkshopInput = z.input<typeof updateWorkshopSchema>;

export const openingHoursRowSchema = z
  .object({ weekday: z.number().int().min(0).max(6), opens: hhmm, closes: hhmm })
  .strict()
  .refine((r) => r.opens < r.closes, { message: 'closes must be after opens', path: ['closes'] });

/** The whole weekly schedule, replaced at once. */
export const openingHoursSchema = z.array(openingHoursRowSchema).max(7 * 4);
export type OpeningHoursInput = z.input<typeof openingHoursSchema>;

export const closureSchema = z
  .object({
    date: calendarDateSchema,
    reason: z.string().trim().max(200).nullable().optional(),
  })
  .strict();
export type ClosureInput = z.input<typeof closureSchema>;

export const WORKSHOP_STATUSES = ['pending', 'verified', 'suspended'] as const;
export type WorkshopStatus = (typeof WORKSHOP_STATUSES)[number];

export const availabilityQuerySchema = z.object(windowFields).strict().superRefine(checkWindow);

/** `GET /api/places/zones`: the time zones a city (or a map point) can be in, for onboarding. */
export const placeZonesQuerySchema = z
  .object({
    city: z.string().trim().min(1).max(80),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lng: z.coerce.number().min(-180).max(180).optional(),
  })
  .strict();

export const adminWorkshopQuerySchema = z.object({ status: z.enum(WORKSHOP_STATUSES).optional() }).strict();
