import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookCreatedSchema,
  webhookDeliveryListQuerySchema,
  webhookDeliveryViewSchema,
  webhookEndpointViewSchema,
} from '@shared/schemas/webhook';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';

const tags = ['webhooks'];
const managers = requireAuth('vendor', 'admin');
const endpointBody = z.strictObject({ endpoint: webhookEndpointViewSchema });
const deliveryParam = z.object({ id: z.uuid({ message: 'Not a valid id' }), deliveryId: z.uuid({ message: 'Not a valid id' }) });
const mineOnly = { ...authErrors, 404: 'NOT_FOUND (no such endpoint of yours)' } as const;

/** Webhook endpoints of vendors (their workshops' bookings) and admins (one workshop or all), and their delivery logs. */
export function webhookRoutes(s: Services) {
  const r = createRouter();

  r.openapi(
    createRoute({ method: 'get', path: '/webhooks', tags, middleware: managers, responses: { 200: ok(z.strictObject({ endpoints: z.array(webhookEndpointViewSchema) }), '`{endpoints}` I registered'), ...errors(authErrors) } }),
    async (c) => c.json({ endpoints: await s.webhooks.list(c.get('principal')!) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/webhooks', tags, middleware: managers, request: { body: jsonBody(createWebhookSchema) },
      responses: { 201: ok(webhookCreatedSchema, '`{endpoint, secret}`: sign checks use the secret (docs/webhooks.md)'), ...errors({ ...authErrors, 404: 'NOT_FOUND (workshop)' }) },
    }),
    async (c) => c.json(await s.webhooks.create(c.get('principal')!, c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/webhooks/{id}/secret', tags, middleware: managers, request: { params: idParam }, responses: { 200: ok(z.strictObject({ secret: z.string() }), "`{secret}`: the endpoint's signing secret"), ...errors(mineOnly) } }),
    async (c) => c.json({ secret: await s.webhooks.secret(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({ method: 'patch', path: '/webhooks/{id}', tags, middleware: managers, request: { params: idParam, body: jsonBody(updateWebhookSchema) }, responses: { 200: ok(endpointBody, '`{endpoint}` changed; enabling resets its failure count and resumes held deliveries'), ...errors(mineOnly) } }),
    async (c) => c.json({ endpoint: await s.webhooks.update(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/webhooks/{id}', tags, middleware: managers, request: { params: idParam }, responses: { 204: noContent('Endpoint and its delivery log removed'), ...errors(mineOnly) } }),
    async (c) => {
      await s.webhooks.remove(c.get('principal')!, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/webhooks/{id}/deliveries', tags, middleware: managers, request: { params: idParam, query: webhookDeliveryListQuerySchema },
      responses: { 200: ok(z.strictObject({ deliveries: z.array(webhookDeliveryViewSchema) }), '`{deliveries}`, newest first: status, attempts, last answer and latency'), ...errors(mineOnly) },
    }),
    async (c) => c.json({ deliveries: await s.webhooks.deliveries(c.get('principal')!, c.req.valid('param').id, c.req.valid('query').limit) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver', tags, middleware: managers, request: { params: deliveryParam },
      responses: { 201: ok(z.strictObject({ delivery: webhookDeliveryViewSchema }), '`{delivery}`: a new delivery of the same event (same event id)'), ...errors({ ...authErrors, 404: 'NOT_FOUND (endpoint or delivery)' }) },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      return c.json({ delivery: await s.webhooks.redeliver(c.get('principal')!, id, deliveryId) }, 201);
    },
  );
  return r;
}
