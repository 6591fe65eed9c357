import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { qualityDismissSchema, qualityQueueItemSchema, workshopQualitySchema } from '@shared/schemas/quality';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { authErrors, errors, noContent, ok } from './responses';
import { createRouter } from './router';

const workshopIdParam = z.strictObject({ workshopId: idParam.shape.id });

/** Workshop quality: the owner's and admins' metrics, the admin's quality queue and its dismissals (audited). */
export function qualityRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/quality', tags: ['vendor'], middleware: requireAuth('vendor', 'admin'), request: { params: idParam },
      responses: { 200: ok(z.strictObject({ quality: workshopQualitySchema }), '`{quality}`: the workshop\'s metrics over the window, what they breach and the thresholds (its owner and admins)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ quality: await s.quality.forWorkshop(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/quality/queue', tags: ['admin'], middleware: requireAuth('admin'),
      responses: { 200: ok(z.strictObject({ workshops: z.array(qualityQueueItemSchema) }), '`{workshops}`: verified workshops breaching a quality threshold (each breach explained), and workshops whose insurance expires within 30 days or has lapsed; dismissed ones stay out until a new flag'), ...errors(authErrors) },
    }),
    async (c) => c.json({ workshops: await s.quality.queue(c.get('principal')!) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/admin/quality/{workshopId}/dismiss', tags: ['admin'], middleware: requireAuth('admin'), request: { params: workshopIdParam, body: jsonBody(qualityDismissSchema) },
      responses: { 204: noContent('Off the queue for 30 days unless a new flag appears; audited with the reason'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT (not in the queue)' }) },
    }),
    async (c) => {
      const { workshopId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      await s.quality.dismiss(c.get('principal')!, workshopId, reason);
      await s.audit.record(c.get('principal')!, 'workshop.quality_dismiss', { type: 'workshop', id: workshopId }, reason);
      return c.body(null, 204);
    },
  );
  return r;
}
