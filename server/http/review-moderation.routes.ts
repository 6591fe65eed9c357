import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { auditEntrySchema, auditQuerySchema } from '@shared/schemas/audit';
import { reportedReviewSchema, reviewModerationSchema, reviewReplySchema, reviewReportSchema, reviewViewSchema } from '@shared/schemas/review';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { authErrors, errors, noContent, ok } from './responses';
import { createRouter } from './router';

const reviewBody = z.strictObject({ review: reviewViewSchema });
const MODERATIONS = [
  ['hide', 'hide', 'Hidden: off the workshop\'s page and out of its rating; its open reports are answered', 'CONFLICT (already hidden)'],
  ['unhide', 'unhide', 'Shown again and counted in the rating', 'CONFLICT (not hidden)'],
  ['dismiss-reports', 'dismiss_reports', 'Its open reports are closed; the review stays', 'CONFLICT (no open reports)'],
] as const;

/** Review governance: the workshop's reply, readers' reports, admins' moderation, and the audit trail. */
export function reviewModerationRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'post', path: '/reviews/{id}/reply', tags: ['reviews'], middleware: requireAuth('vendor'),
      request: { params: idParam, body: jsonBody(reviewReplySchema) },
      responses: { 200: ok(reviewBody, '`{review}` with the reply: the owning workshop answers once, in public'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT (already replied)' }) },
    }),
    async (c) => c.json({ review: await s.reviewModeration.reply(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/reviews/{id}/report', tags: ['reviews'], middleware: requireAuth(),
      request: { params: idParam, body: jsonBody(reviewReportSchema) },
      responses: { 204: noContent('Reported: it joins the admins\' queue (its author and the workshop are not told who)'), ...errors({ ...authErrors, 404: 'NOT_FOUND (or hidden)', 409: 'CONFLICT (you already reported it)' }) },
    }),
    async (c) => {
      await s.reviewModeration.report(c.get('principal')!, c.req.valid('param').id, c.req.valid('json'));
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/reviews/reported', tags: ['admin', 'reviews'], middleware: requireAuth('admin'),
      responses: { 200: ok(z.strictObject({ reviews: z.array(reportedReviewSchema) }), '`{reviews}` with open reports, the most reported first, each with its reports\' reasons'), ...errors(authErrors) },
    }),
    async (c) => c.json({ reviews: await s.reviewModeration.reported(c.get('principal')!) }, 200),
  );
  for (const [path, action, what, conflict] of MODERATIONS) {
    r.openapi(
      createRoute({
        method: 'post', path: `/admin/reviews/{id}/${path}`, tags: ['admin', 'reviews'], middleware: requireAuth('admin'),
        request: { params: idParam, body: jsonBody(reviewModerationSchema) },
        responses: { 200: ok(reviewBody, `\`{review}\`. ${what}; recorded in the audit trail with the reason`), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: conflict }) },
      }),
      async (c) => c.json({ review: await s.reviewModeration.moderate(c.get('principal')!, c.req.valid('param').id, action, c.req.valid('json')) }, 200),
    );
  }
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/audit', tags: ['admin'], middleware: requireAuth('admin'),
      request: { query: auditQuerySchema },
      responses: { 200: ok(z.strictObject({ entries: z.array(auditEntrySchema) }), '`{entries}`, newest first: who did what to what, why and when; `before=<entry id>` pages back'), ...errors(authErrors) },
    }),
    async (c) => c.json({ entries: await s.audit.list(c.get('principal')!, c.req.valid('query')) }, 200),
  );
  return r;
}
