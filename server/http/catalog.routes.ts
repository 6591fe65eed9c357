import { createRoute } from '@hono/zod-openapi';
import { reviewListQuerySchema } from '@shared/schemas/review';
import { availabilityQuerySchema, workshopSearchSchema } from '@shared/schemas/workshop';
import type { MiddlewareHandler } from 'hono';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { idParam } from './params';
import { createRouter } from './router';

/** Public catalog: verified workshops, their services and live availability. */
export function catalogRoutes(s: Services, availabilityLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops', tags: ['catalog'],
      request: { query: workshopSearchSchema },
      responses: { 200: { description: '`{workshops}`: verified workshops matching city, service category and text' } },
    }),
    async (c) => c.json({ workshops: await s.catalog.search(c.req.valid('query')) }),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}', tags: ['catalog'],
      request: { params: idParam },
      responses: { 200: { description: '`{workshop}` with services, hours and closures' }, 404: { description: 'NOT_FOUND' } },
    }),
    async (c) => c.json({ workshop: await s.catalog.detail(c.req.valid('param').id, c.var.principal) }),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/reviews', tags: ['catalog'],
      request: { params: idParam, query: reviewListQuerySchema },
      responses: { 200: { description: '`{reviews}`, newest first; authors as first name and initial' }, 404: { description: 'NOT_FOUND' } },
    }),
    async (c) => c.json({ reviews: await s.reviews.forWorkshop(c.var.principal ?? null, c.req.valid('param').id, c.req.valid('query').limit) }),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/availability', tags: ['catalog'], middleware: availabilityLimit,
      request: { params: idParam, query: availabilityQuerySchema },
      responses: {
        200: { description: '`{workshopId, seq, epoch, slots}`' }, 400: { description: 'VALIDATION_FAILED (dates, a window over 35 days)' },
        404: { description: 'NOT_FOUND' }, 429: { description: 'RATE_LIMITED (per address)' },
      },
    }),
    async (c) => {
      const view = await s.availability.forViewer(c.var.principal, c.req.valid('param').id, c.req.valid('query'));
      return c.json(await view.read());
    },
  );

  return r;
}
