import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { MATCH_FACTORS, matchNeedSchema, matchResultSchema, matchWeightsSchema, matchWeightsViewSchema } from '@shared/schemas/match';
import { MATCH_SETTINGS_ID } from '@shared/schemas/audit';
import type { MiddlewareHandler } from 'hono';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { requireAuth } from './auth.middleware';
import { jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';

/** `PUT /api/admin/match-weights`: the new weights and, for the audit trail, an optional reason. */
const putWeightsSchema = z.strictObject({ weights: matchWeightsSchema, reason: z.string().trim().min(1).max(1000).optional() });

/**
 * The matching engine: anyone may ask (like the search; a `vehicleId` needs the customer whose
 * garage holds it), admins set the weights (audited).
 */
export function matchRoutes(s: Services, matchLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const adminOnly = requireAuth('admin');

  r.openapi(
    createRoute({
      method: 'post', path: '/match', tags: ['catalog'], middleware: matchLimit,
      description: 'Ranked bookable options for a need: workshop, service, the first slot run with a unit free now (live counts, holds included) that fits the job, the price with the options, distance, rating, completion rate and response time, each with a score and its per-factor explanation. Anonymous callers may ask; `vehicleId` needs the signed-in customer whose garage holds it.',
      request: { body: jsonBody(matchNeedSchema) },
      responses: {
        200: ok(matchResultSchema, '`{options, considered, window, weights}`: best first (ties: earlier start, nearer, cheaper, then ids)'),
        ...errors({
          400: 'VALIDATION_FAILED (a bad point, radius, instant, option id, budget or limit; neither q nor category; q without letters or digits) or MATCH_WINDOW_INVALID (window.to not after window.from, more than 28 days, or already over)',
          401: 'UNAUTHENTICATED (`vehicleId` without signing in)',
          403: 'FORBIDDEN (`vehicleId` from a vendor or admin: only customers have a garage)',
          404: 'NOT_FOUND (`vehicleId` is not in your garage)',
          429: 'RATE_LIMITED (per address; see Retry-After)',
        }),
      },
    }),
    async (c) => c.json(await s.matching.match(c.get('principal'), c.req.valid('json')), 200),
  );

  r.openapi(
    createRoute({ method: 'get', path: '/admin/match-weights', tags: ['admin'], middleware: adminOnly, responses: { 200: ok(matchWeightsViewSchema, '`{weights, updatedAt}`: the weight of each matching factor'), ...errors(authErrors) } }),
    async (c) => c.json(await s.matching.weights(), 200),
  );
  r.openapi(
    createRoute({
      method: 'put', path: '/admin/match-weights', tags: ['admin'], middleware: adminOnly,
      request: { body: jsonBody(putWeightsSchema) },
      responses: { 200: ok(matchWeightsViewSchema, 'The new `{weights, updatedAt}`; every process uses them within a second; audited'), ...errors({ ...authErrors, 400: 'VALIDATION_FAILED (a weight outside 0–100 or not whole, a factor missing or unknown, all zero)' }) },
    }),
    async (c) => {
      const { weights, reason } = c.req.valid('json');
      const view = await s.matching.saveWeights(c.get('principal')!, weights);
      const summary = MATCH_FACTORS.map((f) => `${f} ${weights[f]}`).join(', ');
      await s.audit.record(c.get('principal')!, 'match.weights_update', { type: 'settings', id: MATCH_SETTINGS_ID }, reason ? `${summary}: ${reason}` : summary);
      return c.json(view, 200);
    },
  );
  return r;
}
