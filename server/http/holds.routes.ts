import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { createHoldSchema } from '@shared/schemas/booking';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import type { AppEnv } from './context';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';

const tags = ['holds'];

/** Customers' short holds on slots. */
export function holdRoutes(s: Services, holdLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const customer = requireAuth('customer');

  r.openapi(
    createRoute({
      method: 'post', path: '/holds', tags, middleware: [customer, holdLimit],
      request: { body: jsonBody(createHoldSchema) },
      responses: {
        201: { description: '`{hold: {id, slotIds, expiresAt, …}}`' },
        409: { description: 'SLOT_UNAVAILABLE' }, 422: { description: 'SLOT_SERVICE_MISMATCH' }, 429: { description: 'HOLD_LIMIT or RATE_LIMITED' },
      },
    }),
    async (c) => c.json({ hold: await s.holds.hold(c.var.principal!, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/holds', tags, middleware: customer, responses: { 200: { description: '`{holds}`: my active holds' } } }),
    async (c) => c.json({ holds: await s.holds.mine(c.var.principal!) }),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/holds/{id}', tags, middleware: customer, request: { params: idParam }, responses: { 204: { description: 'released' }, 404: { description: 'NOT_FOUND' } } }),
    async (c) => {
      await s.holds.release(c.var.principal!, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/holds/{id}/extend', tags, middleware: customer, request: { params: idParam }, responses: { 200: { description: '`{hold}` with a later expiresAt' }, 409: { description: 'HOLD_EXPIRED or HOLD_EXTENSION_LIMIT' } } }),
    async (c) => c.json({ hold: await s.holds.extend(c.var.principal!, c.req.valid('param').id) }),
  );
  return r;
}
