import { z } from 'zod';

/** One disagreement between the ledger, the booking's payment row and the provider (minor units; null: no record). */
export const reconciliationDifferenceSchema = z.strictObject({
  bookingId: z.uuid(),
  paymentId: z.string().nullable(),
  currency: z.string(),
  field: z.enum(['captured', 'refunded']),
  ledger: z.int(),
  payment: z.int().nullable(),
  provider: z.int().nullable(),
});

/** `GET /api/admin/reconciliation`: a check run now. */
export const reconciliationReportSchema = z.strictObject({
  checkedAt: z.iso.datetime({ offset: true }),
  /** Bookings compared. */
  checked: z.int(),
  /** False when the provider's own records could not be read (only ours were compared). */
  providerChecked: z.boolean(),
  differences: z.array(reconciliationDifferenceSchema),
});
export type ReconciliationReport = z.infer<typeof reconciliationReportSchema>;
