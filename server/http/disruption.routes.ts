import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { bookingViewSchema } from '@shared/schemas/booking';
import { acceptAlternativeSchema, freeRunsBodySchema, workshopCancelSchema, workshopMoveSchema } from '@shared/schemas/disruption';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';

const bookingBody = z.strictObject({ booking: bookingViewSchema });
const tags = ['bookings'];
const vendorOnly = requireAuth('vendor');
const customerOnly = requireAuth('customer');

/**
 * Disruption: the workshop cancels or moves a booking with a reason; the customer takes one of the
 * offered free runs in one click, or cancels for a full refund. Mounted before the booking routes
 * (`/bookings/:id/workshop-cancel` is not a lifecycle `/bookings/:id/:action`).
 */
export function disruptionRoutes(s: Services) {
  const r = createRouter();
  const me = (c: { get: (key: 'principal') => { id: string; role: 'customer' | 'vendor' | 'admin' } | null }) => c.get('principal')!;

  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/workshop-cancel', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(workshopCancelSchema) },
      responses: {
        200: ok(bookingBody, '`{booking}` cancelled by the workshop: the customer is refunded in full (no late fee), told live and by mail with the reason and up to 3 free runs'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND (not a booking of your workshop)', 409: 'INVALID_TRANSITION (not pending or accepted, or already started) or VERSION_CONFLICT' }),
      },
    }),
    async (c) => c.json({ booking: await s.disruption.cancelByWorkshop(me(c), c.req.valid('param').id, c.req.valid('json').reason) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/workshop-move', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(workshopMoveSchema) },
      responses: {
        200: ok(bookingBody, '`{booking}` on the new run (`to`: `nearest`, or the start of a free run); the customer is told live and by mail with the reason and up to 3 alternatives'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND (not a booking of your workshop)', 409: 'NO_FREE_RUN, SLOT_UNAVAILABLE (taken meanwhile), INVALID_TRANSITION or VERSION_CONFLICT' }),
      },
    }),
    async (c) => {
      const { to, reason } = c.req.valid('json');
      return c.json({ booking: await s.disruption.moveByWorkshop(me(c), c.req.valid('param').id, to, reason) }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/bookings/{id}/free-runs', tags, middleware: vendorOnly, request: { params: idParam },
      responses: { 200: ok(freeRunsBodySchema, '`{runs}`: up to 3 free runs of the booking\'s length nearest its start (where a move could go)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ runs: await s.disruption.nearestFreeRuns(me(c), c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/bookings/{id}/alternatives', tags, middleware: customerOnly, request: { params: idParam },
      responses: { 200: ok(freeRunsBodySchema, '`{runs}`: up to 3 free runs nearest the time I booked (before a workshop\'s move)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ runs: await s.disruption.alternatives(me(c), c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/alternatives/accept', tags, middleware: customerOnly, request: { params: idParam, body: jsonBody(acceptAlternativeSchema) },
      responses: {
        200: ok(bookingBody, '`{booking}` moved to the run starting at `startsAt` (a reschedule applied at once; once per workshop move)'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION (the workshop did not move it, or already answered), NO_FREE_RUN, SLOT_UNAVAILABLE or VERSION_CONFLICT' }),
      },
    }),
    async (c) => c.json({ booking: await s.disruption.acceptAlternative(me(c), c.req.valid('param').id, c.req.valid('json').startsAt) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/cancel-after-move', tags, middleware: customerOnly, request: { params: idParam },
      responses: {
        200: ok(bookingBody, '`{booking}` cancelled after the workshop moved it: refunded in full, whatever the time'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION (the workshop did not move it, or already answered) or VERSION_CONFLICT' }),
      },
    }),
    async (c) => c.json({ booking: await s.disruption.cancelAfterMove(me(c), c.req.valid('param').id) }, 200),
  );
  return r;
}
