import { createRoute } from '@hono/zod-openapi';
import { reviewListQuerySchema } from '@shared/schemas/review';
import { availabilityQuerySchema, workshopSearchSchema } from '@shared/schemas/workshop';
import type { MiddlewareHandler } from 'hono';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { idParam } from './params';
import { createRouter } from './router';
import { errors, jsonText, ok } from './responses';
import { z } from 'zod';
import { availabilitySnapshotSchema } from '@shared/availability';
import { reviewViewSchema } from '@shared/schemas/review';
import { workshopDetailViewSchema, workshopListItemSchema } from '@shared/schemas/views';

/** Public catalog: verified workshops, their services and live availability. */
export function catalogRoutes(s: Services, availabilityLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops', tags: ['catalog'],
      request: { query: workshopSearchSchema },
      responses: { 200: ok(z.strictObject({ workshops: z.array(workshopListItemSchema) }), '`{workshops}`: verified workshops matching city, service category and text'), ...errors() },
    }),
    async (c) => c.json({ workshops: await s.catalog.search(c.req.valid('query')) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}', tags: ['catalog'],
      request: { params: idParam },
      responses: { 200: ok(z.strictObject({ workshop: workshopDetailViewSchema }), '`{workshop}` with services, hours and closures'), ...errors({ 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ workshop: await s.catalog.detail(c.req.valid('param').id, c.var.principal) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/reviews', tags: ['catalog'],
      request: { params: idParam, query: reviewListQuerySchema },
      responses: { 200: ok(z.strictObject({ reviews: z.array(reviewViewSchema) }), '`{reviews}`, newest first; authors as first name and initial'), ...errors({ 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ reviews: await s.reviews.forWorkshop(c.var.principal ?? null, c.req.valid('param').id, c.req.valid('query').limit) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/availability', tags: ['catalog'], middleware: availabilityLimit,
      request: { params: idParam, query: availabilityQuerySchema },
      responses: {
        200: ok(availabilitySnapshotSchema, '`{workshopId, seq, epoch, slots}`'),
        ...errors({ 400: 'VALIDATION_FAILED (dates, a window over 35 days)', 404: 'NOT_FOUND', 429: 'RATE_LIMITED (per address)' }),
      },
    }),
    async (c) => {
      const view = await s.availability.forViewer(c.var.principal, c.req.valid('param').id, c.req.valid('query'));
      // Assembled as text from cached parts (availability.snapshotJson): the body c.json would send,
      // without stringifying ~330 objects per read; its type says which schema it holds.
      return jsonText(c, await view.readJson(), 200);
    },
  );

  return r;
}
