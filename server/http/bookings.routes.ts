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
        201: { description: '`{booking}` created' }, 200: { description: '`{booking}`: the same Idempotency-Key was seen within 24 h' },
        409: { description: 'HOLD_EXPIRED, SLOT_UNAVAILABLE, SLOT_WITHDRAWN, SERVICE_RETIRED or WORKSHOP_NOT_BOOKABLE' }, 404: { description: 'NOT_FOUND (not your hold)' },
        422: { description: 'IDEMPOTENCY_KEY_REUSED (the key confirmed a different hold)' },
        429: { description: 'RATE_LIMITED (confirms per minute) or BOOKING_LIMIT (too many open bookings)' },
      },
    }),
    async (c) => {
      const { booking, replayed } = await s.bookings.confirm(c.var.principal!, {
        ...c.req.valid('json'),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return c.json({ booking }, replayed ? 200 : 201);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings', tags, middleware: signedIn, request: { query: bookingListQuerySchema }, responses: { 200: { description: '`{bookings}`: mine, my workshops\', or all (admin)' } } }),
    async (c) => c.json({ bookings: await s.bookings.list(c.var.principal!, c.req.valid('query')) }),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings/{id}', tags, middleware: signedIn, request: { params: idParam }, responses: { 200: { description: '`{booking}` with its event history' }, 404: { description: 'NOT_FOUND' } } }),
    async (c) => c.json({ booking: await s.bookings.get(c.var.principal!, c.req.valid('param').id) }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/bookings/{id}/reschedule', tags, middleware: signedIn, request: { params: idParam, body: jsonBody(rescheduleSchema) }, responses: { 200: { description: '`{booking}` on the held slots' }, 409: { description: 'SLOT_UNAVAILABLE, HOLD_EXPIRED, VERSION_CONFLICT' } } }),
    async (c) => c.json({ booking: await s.transitions.reschedule(c.var.principal!, c.req.valid('param').id, c.req.valid('json').holdId) }),
  );
  // Before /bookings/{id}/{action}, which would otherwise claim "review" as an unknown action.
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/review', tags, middleware: requireAuth('customer'), request: { params: idParam, body: jsonBody(reviewInputSchema) },
      responses: { 201: { description: '`{review}`; the workshop\'s rating moves with it' }, 409: { description: 'INVALID_TRANSITION (not completed) or CONFLICT (already reviewed)' }, 404: { description: 'NOT_FOUND' } },
    }),
    async (c) => c.json({ review: await s.reviews.review(c.var.principal!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/bookings/{id}/review', tags, middleware: signedIn, request: { params: idParam }, responses: { 200: { description: '`{review}` or `{review: null}`' }, 404: { description: 'NOT_FOUND' } } }),
    async (c) => c.json({ review: await s.reviews.forBooking(c.var.principal!, c.req.valid('param').id) }),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/{action}', tags, middleware: signedIn,
      request: { params: actionParam, body: { content: { 'application/json': { schema: actionBody } }, required: false } },
      responses: { 200: { description: '`{booking}` in its new state' }, 409: { description: 'INVALID_TRANSITION or VERSION_CONFLICT' }, 403: { description: 'FORBIDDEN' } },
    }),
    async (c) => {
      const { id, action } = c.req.valid('param');
      const body = c.req.valid('json') as { reason?: string } | undefined;
      return c.json({ booking: await s.transitions.act(c.var.principal!, id, action, body?.reason) });
    },
  );
  return r;
}
