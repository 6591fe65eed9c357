import { z } from 'zod';

/** A user's non-essential mail (reminders before a booking, review requests); mail about a change to a booking is always sent. */
export const mailPreferencesSchema = z.strictObject({
  reminders: z.boolean(),
  reviews: z.boolean(),
});
export type MailPreferences = z.infer<typeof mailPreferencesSchema>;

/** `PUT /api/me/mail-preferences`: any of the two. */
export const mailPreferencesPatchSchema = mailPreferencesSchema.partial().strict();
export type MailPreferencesPatch = z.infer<typeof mailPreferencesPatchSchema>;

/** `GET|POST /api/mail/unsubscribe?token=…`: the signed token from the message's link. */
export const unsubscribeQuerySchema = z.object({ token: z.string().min(10).max(2000) });
