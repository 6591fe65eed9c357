import { createRoute } from '@hono/zod-openapi';
import { reviewListQuerySchema } from '@shared/schemas/review';
import { availabilityQuerySchema } from '@shared/schemas/workshop';
import { placeSearchQuerySchema, placeViewSchema, SEARCH_MAX_LIMIT, workshopSearchResultSchema, workshopSearchSchema } from '@shared/schemas/search';
import type { MiddlewareHandler } from 'hono';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { idParam } from './params';
import { createRouter } from './router';
import { encodedOnce, errors, jsonText, ok } from './responses';
import { z } from 'zod';
import { availabilitySnapshotSchema } from '@shared/availability';
import { reviewViewSchema } from '@shared/schemas/review';
import { workshopDetailViewSchema } from '@shared/schemas/views';

/** Public catalog: verified workshops, their services and live availability. */
export function catalogRoutes(s: Services, availabilityLimit: MiddlewareHandler<AppEnv>, searchLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const availabilityBytes = encodedOnce();

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops', tags: ['catalog'], middleware: searchLimit,
      description: `Verified workshops: words in \`q\` (name, services, categories, city, description; the last word also as a prefix), `
        + `a point (\`lat\`, \`lng\`, \`radiusKm\`) with distances, facets and counts, pages of at most ${SEARCH_MAX_LIMIT} through \`nextCursor\`.`,
      request: { query: workshopSearchSchema },
      responses: {
        200: ok(workshopSearchResultSchema, '`{workshops, total, limit, nextCursor, sort, near, ignoredTerms, facets}`'),
        ...errors({ 400: 'VALIDATION_FAILED (a bad or half-given point, radius, price, rating, date or window, limit over the maximum) or INVALID_CURSOR', 429: 'RATE_LIMITED (per address; see Retry-After)' }),
      },
    }),
    async (c) => c.json(await s.search.search(c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/places', tags: ['catalog'],
      request: { query: placeSearchQuerySchema },
      responses: { 200: ok(z.strictObject({ places: z.array(placeViewSchema) }), '`{places}`: places whose name starts with (else contains) `q`, biggest first, from the gazetteer shipped with Holdfast'), ...errors() },
    }),
    (c) => {
      const { q, limit } = c.req.valid('query');
      return c.json({ places: s.findPlaces(q, limit ?? 8) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}', tags: ['catalog'],
      request: { params: idParam },
      responses: { 200: ok(z.strictObject({ workshop: workshopDetailViewSchema }), '`{workshop}` with services, hours and closures'), ...errors({ 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ workshop: await s.catalog.detail(c.req.valid('param').id, c.get('principal')) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/reviews', tags: ['catalog'],
      request: { params: idParam, query: reviewListQuerySchema },
      responses: { 200: ok(z.strictObject({ reviews: z.array(reviewViewSchema) }), '`{reviews}`, newest first; authors as first name and initial'), ...errors({ 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ reviews: await s.reviews.forWorkshop(c.get('principal') ?? null, c.req.valid('param').id, c.req.valid('query').limit) }, 200),
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
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const view = await s.availability.forViewer(c.get('principal'), id, query);
      // Assembled as text from cached parts (availability.snapshotJson): the body c.json would send,
      // without stringifying ~330 objects per read; its type says which schema it holds. The same
      // text as last time for this window (nothing changed) goes out as the same bytes.
      const text = await view.readJson();
      return jsonText(c, text, 200, availabilityBytes(`${id}|${query.from ?? ''}|${query.to ?? ''}`, text));
    },
  );

  return r;
}
