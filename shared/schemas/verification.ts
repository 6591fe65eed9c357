import { z } from 'zod';
import { instantOut, workshopListItemSchema } from './views';

/** What a workshop must have before an admin may verify it (and customers may book it). */
export const READINESS_ITEMS = ['hours', 'service', 'timezone', 'contact', 'registration', 'insurance'] as const;
export type ReadinessItemKey = (typeof READINESS_ITEMS)[number];

export const readinessItemSchema = z.strictObject({
  key: z.enum(READINESS_ITEMS),
  ok: z.boolean(),
  /** What the item checks, e.g. "Opening hours". */
  label: z.string(),
  /** What was found, or what to do about it. */
  detail: z.string(),
  /** Done, but needs attention soon (insurance expiring within 30 days). */
  warning: z.boolean().optional(),
});
export type ReadinessItem = z.infer<typeof readinessItemSchema>;

export const readinessSchema = z.strictObject({ ready: z.boolean(), items: z.array(readinessItemSchema) });
export type Readiness = z.infer<typeof readinessSchema>;

/** What happened to a workshop's verification: an admin verified it, its insurance lapsed, or it was verified again after a lapse. */
export const VERIFICATION_ACTIONS = ['verified', 'lapsed', 'reverified'] as const;
export type VerificationAction = (typeof VERIFICATION_ACTIONS)[number];

/** One row of the append-only verification record: what was checked, by whom (null: the system), why and when. */
export const verificationRecordSchema = z.strictObject({
  id: z.uuid(),
  workshopId: z.uuid(),
  action: z.enum(VERIFICATION_ACTIONS),
  registrationNumber: z.string().nullable(),
  insuranceExpiresOn: z.iso.date().nullable(),
  /** The admin who acted; null when the system did (an insurance lapse). */
  by: z.strictObject({ id: z.uuid(), name: z.string() }).nullable(),
  reason: z.string().nullable(),
  at: instantOut,
});
export type VerificationRecordView = z.infer<typeof verificationRecordSchema>;

/** The verification record the vendor and admins see: the checklist and the last decision. */
export const verificationViewSchema = z.strictObject({
  status: z.enum(['pending', 'verified', 'suspended']),
  readiness: readinessSchema,
  /** The admin returned the workshop to the vendor with this reason (cleared by a new review request). */
  returned: z.strictObject({ reason: z.string(), at: instantOut }).nullable(),
  /** When the vendor last asked for review after a return. */
  reviewRequestedAt: instantOut.nullable(),
  /** The latest row of the verification record (null: never verified). */
  latest: verificationRecordSchema.nullable(),
});
export type VerificationView = z.infer<typeof verificationViewSchema>;

/** A row of the admin verification queue: the workshop, who owns it, and its checklist. */
export const adminWorkshopItemSchema = z.strictObject({
  ...workshopListItemSchema.shape,
  owner: z.strictObject({ id: z.uuid(), name: z.string(), email: z.string() }),
  verification: verificationViewSchema,
});
export type AdminWorkshopItem = z.infer<typeof adminWorkshopItemSchema>;

/** `POST /api/admin/workshops/:id/return`: send a pending workshop back to its vendor. */
export const returnWorkshopSchema = z
  .object({ reason: z.string().trim().min(5, 'Tell the vendor what to fix (at least 5 characters)').max(500) })
  .strict();
export type ReturnWorkshopInput = z.input<typeof returnWorkshopSchema>;
