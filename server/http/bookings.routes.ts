import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { BOOKING_ACTIONS } from '@shared/booking-status';
import { bookingListQuerySchema, confirmBookingSchema, idempotencyKeySchema, rescheduleSchema } from '@shared/schemas/booking';
import { reviewInputSchema } from '@shared/schemas/review';
import type { MiddlewareHandler } from 'hono';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';
import { bookingDetailViewSchema, bookingEventViewSchema, bookingViewSchema, noShowResponseSchema } from '@shared/schemas/booking';
import { reviewViewSchema } from '@shared/schemas/review';

const bookingBody = z.strictObject({ booking: bookingViewSchema });

const tags = ['bookings'];
const actionParam = z.object({ id: z.uuid(), action: z.enum(BOOKING_ACTIONS) });
const actionBody = z.object({ reason: z.string().trim().max(500).optional() }).strict();

/** Confirming holds, reading bookings, and moving them through their lifecycle. */
export function bookingRoutes(s: Services, confirmLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const signedIn = requireAuth();

  r.openapi(
    createRoute({
      method: 'post', path: '/bookings', tags, middleware: [requireAuth('customer'), confirmLimit] as const,
      request: { body: jsonBody(confirmBookingSchema), headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional() }) },
      responses: {
        201: ok(bookingBody, '`{booking}` created'), 200: ok(bookingBody, '`{booking}`: the same Idempotency-Key was seen within 24 h'),
        ...errors({
          ...authErrors,
          409: 'HOLD_EXPIRED, SLOT_UNAVAILABLE, SLOT_WITHDRAWN, SERVICE_RETIRED or WORKSHOP_NOT_BOOKABLE', 404: 'NOT_FOUND (not your hold, or `vehicleId` is not a vehicle in your garage)',
          402: 'PAYMENT_DECLINED or PAYMENT_INSUFFICIENT_FUNDS (the card was refused; the hold is kept: retry with another card), or PAYMENT_REQUIRES_ACTION (the bank asks the customer to authenticate: nothing is booked, the hold is kept; complete it with `details.clientSecret`, then send the same confirm again)',
          422: 'IDEMPOTENCY_KEY_REUSED (the key confirmed a different hold), PAYMENT_METHOD_REQUIRED (this workshop takes a card at booking) or VEHICLE_NOT_SUPPORTED (the service does not take this vehicle: fuel, weight or make; `details.reason`)',
          429: 'RATE_LIMITED (confirms per minute) or BOOKING_LIMIT (too many open bookings)',
          503: 'PAYMENT_PROVIDER_UNAVAILABLE (the card processor is down: the hold is kept, retry after Retry-After) or SERVICE_UNAVAILABLE',
        }),
      },
    }),
    async (c) => {
      const { booking, replayed } = await s.bookings.confirm(c.get('principal')!, {
        ...c.req.valid('json'),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return c.json({ booking }, replayed ? 200 : 201);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings', tags, middleware: signedIn, request: { query: bookingListQuerySchema }, responses: { 200: ok(z.strictObject({ bookings: z.array(bookingViewSchema) }), '`{bookings}`: mine, my workshops\', or all (admin)'), ...errors(authErrors) } }),
    async (c) => c.json({ bookings: await s.bookings.list(c.get('principal')!, c.req.valid('query')) }, 200),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings/{id}', tags, middleware: signedIn, request: { params: idParam }, responses: { 200: ok(z.strictObject({ booking: bookingDetailViewSchema }), '`{booking}` with its event history'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json({ booking: await s.bookings.get(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/bookings/{id}/reschedule', tags, middleware: signedIn, request: { params: idParam, body: jsonBody(rescheduleSchema) }, responses: { 200: ok(bookingBody, '`{booking}` on the held slots'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'SLOT_UNAVAILABLE, HOLD_EXPIRED, INVALID_TRANSITION, VERSION_CONFLICT', 422: 'SLOT_SERVICE_MISMATCH' }) } }),
    async (c) => c.json({ booking: await s.transitions.reschedule(c.get('principal')!, c.req.valid('param').id, c.req.valid('json').holdId) }, 200),
  );
  // Before /bookings/{id}/{action}, like the review below.
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/no-show-response', tags, middleware: requireAuth('customer'), request: { params: idParam, body: jsonBody(noShowResponseSchema) },
      responses: { 200: ok(bookingBody, '`{booking}`; the answer is in its history and in the admins\' list'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION (not a no-show) or CONFLICT (already answered)' }) },
    }),
    async (c) => c.json({ booking: await s.transitions.respondToNoShow(c.get('principal')!, c.req.valid('param').id, c.req.valid('json').text) }, 200),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/admin/no-show-responses', tags: ['admin'], middleware: requireAuth('admin'), responses: { 200: ok(z.strictObject({ responses: z.array(z.strictObject({ booking: bookingViewSchema, event: bookingEventViewSchema })) }), '`{responses}`: no-shows their customers answered, newest first (at most 200)'), ...errors(authErrors) } }),
    async (c) => c.json({ responses: await s.transitions.noShowResponses() }, 200),
  );
  // Before /bookings/{id}/{action}, which would otherwise claim "review" as an unknown action.
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/review', tags, middleware: requireAuth('customer'), request: { params: idParam, body: jsonBody(reviewInputSchema) },
      responses: { 201: ok(z.strictObject({ review: reviewViewSchema }), '`{review}`; the workshop\'s rating moves with it'), ...errors({ ...authErrors, 409: 'INVALID_TRANSITION (not completed) or CONFLICT (already reviewed)', 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ review: await s.reviews.review(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings/{id}/review', tags, middleware: signedIn, request: { params: idParam }, responses: { 200: ok(z.strictObject({ review: reviewViewSchema.nullable() }), '`{review}` or `{review: null}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json({ review: await s.reviews.forBooking(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/{action}', tags, middleware: signedIn,
      request: { params: actionParam, body: { content: { 'application/json': { schema: actionBody } }, required: false } },
      responses: { 200: ok(bookingBody, '`{booking}` in its new state'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION, TOO_EARLY or VERSION_CONFLICT' }) },
    }),
    async (c) => {
      const { id, action } = c.req.valid('param');
      const body = c.req.valid('json') as { reason?: string } | undefined;
      return c.json({ booking: await s.transitions.act(c.get('principal')!, id, action, body?.reason) }, 200);
    },
  );
  return r;
}
