import { createRoute } from '@hono/zod-openapi';
import { marketplaceReportQuerySchema, marketplaceReportSchema, workshopReportQuerySchema, workshopReportSchema } from '@shared/schemas/reports';
import { z } from 'zod';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam } from './params';
import { marketplaceReportCsv, workshopReportCsv } from './report-csv';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';

const workshopBody = z.strictObject({ report: workshopReportSchema });
const marketplaceBody = z.strictObject({ report: marketplaceReportSchema });
const csv = (description: string) => ({ description, content: { 'text/csv': { schema: z.string() } } });
const csvHeaders = (name: string) => ({
  'content-type': 'text/csv; charset=utf-8',
  'content-disposition': `attachment; filename="${name}.csv"`,
  'cache-control': 'no-store',
});

/** Booking reports: a workshop's (its owner and admins) and the marketplace's (admins), as JSON and CSV. */
export function reportRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/reports', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam, query: workshopReportQuerySchema },
      responses: {
        200: ok(workshopBody, "`{report}`: bookings, statuses, cancellation and no-show rates, lead time, utilisation per day and hour, per service, over local days `from`..`to` of the workshop's zone (the last 30 days by default)"),
        ...errors({ ...authErrors, 404: 'NOT_FOUND' }),
      },
    }),
    async (c) => c.json({ report: await s.reports.workshop(c.get('principal')!, c.req.valid('param').id, c.req.valid('query')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/reports.csv', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam, query: workshopReportQuerySchema },
      responses: { 200: csv('The same report as CSV: one row per total, day, hour and service (`section` column)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => {
      const report = await s.reports.workshop(c.get('principal')!, c.req.valid('param').id, c.req.valid('query'));
      return c.body(workshopReportCsv(report), 200, csvHeaders(`report-${report.from}-to-${report.to}`));
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/reports', tags: ['admin'], middleware: requireAuth('admin'),
      request: { query: marketplaceReportQuerySchema },
      responses: {
        200: ok(marketplaceBody, '`{report}`: the marketplace figures over days `from`..`to` of `tz` (UTC by default), in total, per day, per workshop and per city; `city` keeps one city'),
        ...errors(authErrors),
      },
    }),
    async (c) => c.json({ report: await s.reports.marketplace(c.req.valid('query')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/reports.csv', tags: ['admin'], middleware: requireAuth('admin'),
      request: { query: marketplaceReportQuerySchema },
      responses: { 200: csv('The marketplace report as CSV: one row per total, day, workshop and city (`section` column)'), ...errors(authErrors) },
    }),
    async (c) => {
      const report = await s.reports.marketplace(c.req.valid('query'));
      return c.body(marketplaceReportCsv(report), 200, csvHeaders(`marketplace-report-${report.from}-to-${report.to}`));
    },
  );
  return r;
}
