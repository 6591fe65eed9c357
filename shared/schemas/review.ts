import { z } from 'zod';

/** `POST /api/bookings/:id/review`: stars 1–5 and optional words, once per completed booking. */
export const reviewInputSchema = z.strictObject({
  rating: z.int().min(1).max(5),
  text: z.string().trim().max(2000).optional(),
});
export type ReviewInput = z.infer<typeof reviewInputSchema>;

/** `GET /api/workshops/:id/reviews?limit=`. */
export const reviewListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/** A review as anyone may read it: the author is shown as first name and initial only. */
export const reviewViewSchema = z.strictObject({
  id: z.uuid(),
  bookingId: z.uuid(),
  workshopId: z.uuid(),
  rating: z.int(),
  text: z.string().nullable(),
  authorName: z.string(),
  serviceName: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type ReviewView = z.infer<typeof reviewViewSchema>;
