import { createRoute } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { calendarFeedCreatedSchema, calendarFeedFileSchema, calendarFeedStatusSchema } from '@shared/schemas/calendar';
import type { CalendarEntry } from '../domain/calendars';
import type { Services } from '../services';
import { API_VERSION_PREFIX } from './api-version';
import { requireAuth } from './auth.middleware';
import type { AppEnv } from './context';
import { icsFileName, toIcs } from './ics';
import { idParam } from './params';
import { createRouter } from './router';
import { authErrors, errors, file, noContent, ok } from './responses';

const tags = ['calendars'];
/** Calendar apps poll a feed; this asks them to do it hourly (REFRESH-INTERVAL / X-PUBLISHED-TTL). */
const FEED_TTL_MINUTES = 60;

/** Customers' and workshops' own bookings only: an admin's feed would be the whole marketplace. */
const feedRoles = requireAuth('customer', 'vendor');

function icsAnswer(c: Context, text: string, fileName: string | null) {
  const headers: Record<string, string> = { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, no-store' };
  if (fileName) headers['content-disposition'] = `attachment; filename="${fileName}"`;
  return c.body(text, 200, headers);
}

/** A booking as an `.ics` file, and each user's private calendar feed (make, rotate, revoke, read). */
export function calendarRoutes(s: Services, feedLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const ics = (c: Context, entries: CalendarEntry[], name: string, ttlMinutes?: number) =>
    toIcs(entries, { name, origin: new URL(c.req.url).origin, now: new Date(s.clock.now()), ttlMinutes });

  r.openapi(
    createRoute({
      method: 'get', path: '/bookings/{id}/calendar.ics', tags, middleware: requireAuth(), request: { params: idParam },
      responses: { 200: file('text/calendar', 'The booking as one calendar event (an iCalendar file to open or import)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => {
      const entry = await s.calendars.forBooking(c.get('principal')!, c.req.valid('param').id);
      return icsAnswer(c, ics(c, [entry], entry.summary), icsFileName(entry.summary));
    },
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/me/calendar-feed', tags, middleware: feedRoles,
      responses: { 200: ok(calendarFeedStatusSchema, 'Whether I have a feed and since when (its address is shown only when made)'), ...errors(authErrors) },
    }),
    async (c) => c.json(await s.calendars.feedStatus(c.get('principal')!), 200),
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/me/calendar-feed', tags, middleware: feedRoles,
      responses: { 201: ok(calendarFeedCreatedSchema, 'A new feed address; any earlier one stops working'), ...errors(authErrors) },
    }),
    async (c) => {
      const { token, createdAt } = await s.calendars.rotateFeed(c.get('principal')!);
      return c.json({ path: `${API_VERSION_PREFIX}/calendar/${token}.ics`, createdAt }, 201);
    },
  );

  r.openapi(
    createRoute({
      method: 'delete', path: '/me/calendar-feed', tags, middleware: feedRoles,
      responses: { 204: noContent('Feed revoked: its address stops working'), ...errors({ ...authErrors, 404: 'NOT_FOUND (no feed)' }) },
    }),
    async (c) => {
      await s.calendars.revokeFeed(c.get('principal')!);
      return c.body(null, 204);
    },
  );

  // Read by calendar apps, which cannot sign in: the secret address is the credential.
  r.openapi(
    createRoute({
      method: 'get', path: '/calendar/{file}', tags, middleware: feedLimit, request: { params: calendarFeedFileSchema },
      responses: { 200: file('text/calendar', "The feed's owner's bookings from 30 days ago on"), ...errors({ 404: 'NOT_FOUND (unknown, rotated or revoked address)', 429: 'RATE_LIMITED' }) },
    }),
    async (c) => {
      const token = c.req.valid('param').file.slice(0, -'.ics'.length);
      const { owner, entries } = await s.calendars.feed(token);
      return icsAnswer(c, ics(c, entries, owner.role === 'vendor' ? 'Holdfast: workshop bookings' : 'Holdfast: my bookings', FEED_TTL_MINUTES), null);
    },
  );
  return r;
}
