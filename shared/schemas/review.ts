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
  /** The workshop's one public answer. */
  reply: z.strictObject({ text: z.string(), repliedAt: z.iso.datetime({ offset: true }) }).nullable(),
  /** Set when an admin hid the review (it then appears only to the booking's own parties and admins). */
  hidden: z.strictObject({ reason: z.string(), hiddenAt: z.iso.datetime({ offset: true }) }).nullable(),
});
export type ReviewView = z.infer<typeof reviewViewSchema>;

/** `POST /api/reviews/:id/reply`: the workshop's answer, once. */
export const reviewReplySchema = z.strictObject({ text: z.string().trim().min(1, 'Write a reply').max(2000) });
export type ReviewReplyInput = z.infer<typeof reviewReplySchema>;

/** `POST /api/reviews/:id/report`: why a signed-in reader thinks it breaks the rules. */
export const reviewReportSchema = z.strictObject({ reason: z.string().trim().min(3, 'Say what is wrong with it').max(1000) });
export type ReviewReportInput = z.infer<typeof reviewReportSchema>;

/** `POST /api/admin/reviews/:id/{hide|unhide|dismiss-reports}`: every moderation says why. */
export const reviewModerationSchema = z.strictObject({ reason: z.string().trim().min(3, 'Give a reason').max(1000) });
export type ReviewModerationInput = z.infer<typeof reviewModerationSchema>;

/** One row of the admin's queue of reported reviews. */
export const reportedReviewSchema = z.strictObject({
  review: reviewViewSchema,
  workshopName: z.string(),
  reports: z.array(z.strictObject({ reason: z.string(), reportedAt: z.iso.datetime({ offset: true }) })),
});
export type ReportedReview = z.infer<typeof reportedReviewSchema>;
