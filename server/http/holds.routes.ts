import { createRoute } from '@hono/zod-openapi';
import { createHoldSchema } from '@shared/schemas/booking';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';
import { z } from 'zod';
import { holdViewSchema } from '@shared/schemas/booking';

const holdBody = z.strictObject({ hold: holdViewSchema });

const tags = ['holds'];

/** Customers' short holds on slots (the per-customer rate limit is checked with the hold itself, in Redis). */
export function holdRoutes(s: Services) {
  const r = createRouter();
  const customer = requireAuth('customer');

  r.openapi(
    createRoute({
      method: 'post', path: '/holds', tags, middleware: customer,
      request: { body: jsonBody(createHoldSchema) },
      responses: {
        201: ok(holdBody, '`{hold}`: the slots the whole visit needs are held until `expiresAt`'),
        ...errors({
          ...authErrors,
          400: 'VALIDATION_FAILED (also: both `serviceId` and `serviceIds`, neither, a service twice, more than 5, an option a service does not offer) or MALFORMED_JSON',
          404: 'NOT_FOUND (workshop, or `vehicleId` not in your garage)',
          409: 'SLOT_UNAVAILABLE, SLOT_WITHDRAWN, SERVICE_RETIRED or WORKSHOP_NOT_BOOKABLE',
          422: 'SLOT_SERVICE_MISMATCH (a service unknown, retired or of another workshop: `details.serviceId`; the visit does not fit from that slot on one day) or VEHICLE_NOT_SUPPORTED (a service of the visit does not take this vehicle)',
          429: 'HOLD_LIMIT or RATE_LIMITED',
        }),
      },
    }),
    async (c) => c.json({ hold: await s.holds.hold(c.get('principal')!, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/holds', tags, middleware: customer, responses: { 200: ok(z.strictObject({ holds: z.array(holdViewSchema) }), '`{holds}`: my active holds'), ...errors(authErrors) } }),
    async (c) => c.json({ holds: await s.holds.mine(c.get('principal')!) }, 200),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/holds/{id}', tags, middleware: customer, request: { params: idParam }, responses: { 204: noContent('released'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      await s.holds.release(c.get('principal')!, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/holds/{id}/extend', tags, middleware: customer, request: { params: idParam }, responses: { 200: ok(holdBody, '`{hold}` with a later expiresAt'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'HOLD_EXPIRED or HOLD_EXTENSION_LIMIT' }) } }),
    async (c) => c.json({ hold: await s.holds.extend(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  return r;
}
