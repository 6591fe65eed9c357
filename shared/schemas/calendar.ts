import { z } from 'zod';
import { instantOut } from './views';

/** `GET /api/me/calendar-feed`: whether the signed-in user has a private calendar feed. */
export const calendarFeedStatusSchema = z.strictObject({
  active: z.boolean(),
  createdAt: instantOut.nullable(),
});
export type CalendarFeedStatus = z.infer<typeof calendarFeedStatusSchema>;

/**
 * `POST /api/me/calendar-feed`: a new feed address (any earlier one stops working). Shown once:
 * the server keeps only a hash of its token.
 */
export const calendarFeedCreatedSchema = z.strictObject({
  /** Path of the feed on this server (`/api/v1/calendar/<token>.ics`); the client makes it absolute. */
  path: z.string(),
  createdAt: instantOut,
});
export type CalendarFeedCreated = z.infer<typeof calendarFeedCreatedSchema>;

/** The feed's file name in its address: the token, then `.ics`. */
export const calendarFeedFileSchema = z.object({
  file: z.string().regex(/^[A-Za-z0-9_-]{43}\.ics$/, { message: 'Not a calendar feed address' }),
});
