import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { createQuoteSchema, jobTimelineSchema, quoteParam, quoteViewSchema, stageUpdateSchema, stageUpdateViewSchema } from '@shared/schemas/repair-tracking';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';

const tags = ['repair tracking'];
const quoteAnswer = z.strictObject({ quote: quoteViewSchema, priceCents: z.int() });
const notParty = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN (not this booking\'s workshop / customer; wrong role), ACCOUNT_SUSPENDED or CSRF_REJECTED' } as const;

/**
 * Live repair tracking (docs/architecture.md, "Repair tracking"): the workshop moves an accepted job
 * through its stages and quotes extra work; the booking's customer answers quotes. Who may do what is
 * decided by the domain from the booking (a signed-in caller who is no party to it: 403).
 */
export function repairTrackingRoutes(s: Services) {
  const r = createRouter();
  const signedIn = requireAuth();

  r.openapi(
    createRoute({
      method: 'get', path: '/bookings/{id}/job', tags, middleware: signedIn, request: { params: idParam },
      responses: { 200: ok(z.strictObject({ job: jobTimelineSchema }), "`{job}`: stages oldest first, quotes newest first, the price (base + approved extras); for the booking's customer, its workshop and admins"), ...errors({ ...authErrors, ...notParty, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ job: await s.repairTracking.timeline(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/stage', tags, middleware: signedIn, request: { params: idParam, body: jsonBody(stageUpdateSchema) },
      responses: {
        201: ok(z.strictObject({ update: stageUpdateViewSchema }), '`{update}`, also pushed as `job:updated` to both sides; "ready for collection" mails the customer'),
        ...errors({ ...authErrors, ...notParty, 400: 'VALIDATION_FAILED (also an ETA not in the future or more than 60 days ahead) or MALFORMED_JSON', 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION (the booking is not accepted or in progress, or the stage would go back) or VERSION_CONFLICT' }),
      },
    }),
    async (c) => c.json({ update: await s.repairTracking.setStage(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/bookings/{id}/quotes', tags, middleware: signedIn, request: { params: idParam, body: jsonBody(createQuoteSchema) },
      responses: {
        201: ok(z.strictObject({ quote: quoteViewSchema }), '`{quote}` pending, pushed as `quote:changed`; the customer is mailed'),
        ...errors({ ...authErrors, ...notParty, 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION (the booking is not accepted or in progress) or CONFLICT (a quote is already pending)' }),
      },
    }),
    async (c) => c.json({ quote: await s.repairTracking.sendQuote(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  const decision = (verb: 'withdraw' | 'approve' | 'decline', who: string, run: (p: Parameters<Services['repairTracking']['approve']>) => ReturnType<Services['repairTracking']['approve']>) =>
    r.openapi(
      createRoute({
        method: 'post', path: `/bookings/{id}/quotes/{quoteId}/${verb}`, tags, middleware: signedIn, request: { params: quoteParam },
        responses: {
          200: ok(quoteAnswer, `\`{quote, priceCents}\`: ${who}; pushed as \`quote:changed\``),
          ...errors({ ...authErrors, ...notParty, 404: 'NOT_FOUND (no such booking, or the quote is not this booking\'s)', 409: 'CONFLICT (the quote was already answered or withdrawn) or INVALID_TRANSITION (the booking is no longer accepted or in progress)' }),
        },
      }),
      async (c) => {
        const { id, quoteId } = c.req.valid('param');
        return c.json(await run([c.get('principal')!, id, quoteId]), 200);
      },
    );
  decision('withdraw', 'the workshop takes its pending quote back', (a) => s.repairTracking.withdraw(...a));
  decision('approve', "the booking's customer approves: the booking's price rises by the quote's total, in its history", (a) => s.repairTracking.approve(...a));
  decision('decline', "the booking's customer declines: the price stays", (a) => s.repairTracking.decline(...a));
  return r;
}
