import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { bookingDisputeSchema, disputeListQuerySchema, disputeQueueItemSchema, disputeViewSchema, openDisputeSchema, resolveDisputeSchema } from '@shared/schemas/dispute';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';

const disputeBody = z.strictObject({ dispute: disputeViewSchema });

/**
 * Disputes (docs/money.md "Disputes"): the booking's customer reports a problem; its customer,
 * workshop owner and admins read it; admins work the queue and resolve. Mounted before the booking
 * routes: `/bookings/:id/dispute` is not a lifecycle `/bookings/:id/:action`.
 */
export function disputeRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/dispute', tags: ['bookings', 'money'], middleware: requireAuth('customer'),
      request: { params: idParam, body: jsonBody(openDisputeSchema) },
      responses: {
        201: ok(disputeBody, '`{dispute}` opened: the escrow is held until an admin resolves it; both sides are told live'),
        ...errors({
          ...authErrors, 404: 'NOT_FOUND (not your booking)',
          409: 'INVALID_TRANSITION (not completed, cancelled or a no-show), DISPUTE_WINDOW_CLOSED (`details.closedAt`) or CONFLICT (already reported)',
          422: 'NOTHING_CAPTURED (nothing was paid through Holdfast: nothing to refund)',
        }),
      },
    }),
    async (c) => c.json({ dispute: await s.disputes.open(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/bookings/{id}/dispute', tags: ['bookings', 'money'], middleware: requireAuth(),
      request: { params: idParam },
      responses: { 200: ok(bookingDisputeSchema, '`{dispute, openUntil}`: the dispute or null, and until when the customer can report a problem (null unless completed, or cancelled or a no-show with a fee charged); its customer, its workshop\'s owner, admins'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json(await s.disputes.forBooking(c.get('principal')!, c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/disputes', tags: ['admin', 'money'], middleware: requireAuth('admin'),
      request: { query: disputeListQuerySchema },
      responses: { 200: ok(z.strictObject({ disputes: z.array(disputeQueueItemSchema) }), '`{disputes}` oldest first, each with its booking and the booking\'s money (captured, refunded, in escrow, released)'), ...errors(authErrors) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ disputes: await s.disputes.queue(c.get('principal')!, q.status, q.limit) }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/admin/disputes/{id}/resolve', tags: ['admin', 'money'], middleware: requireAuth('admin'),
      request: { params: idParam, body: jsonBody(resolveDisputeSchema) },
      responses: {
        200: ok(disputeBody, '`{dispute}` resolved: the refund or release is in the ledger and the booking\'s history; both sides are told live'),
        ...errors({
          ...authErrors, 404: 'NOT_FOUND',
          409: 'CONFLICT (already resolved, or another decision is under way: repeat it to finish), PAYMENT_STATE_CONFLICT (no payment at the provider, or a provider call of the booking still under way: try again later)',
          422: 'REFUND_TOO_LARGE (more than captured less refunded; `details.refundableMinor`)',
          503: 'SERVICE_UNAVAILABLE or PAYMENT_PROVIDER_UNAVAILABLE (repeat the same decision to finish)',
        }),
      },
    }),
    async (c) => c.json({ dispute: await s.disputes.resolve(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  return r;
}
