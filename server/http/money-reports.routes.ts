import { createRoute } from '@hono/zod-openapi';
import { financeSchema, reportRangeQuerySchema, vendorMoneySchema } from '@shared/schemas/payouts';
import { z } from 'zod';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam } from './params';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';
import { statementCsv } from './statement-csv';

const moneyBody = z.strictObject({ money: vendorMoneySchema });
const financeBody = z.strictObject({ finance: financeSchema });

/** A workshop's Money tab and statement (its owner and admins) and the admins' finance figures. */
export function moneyReportRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/money', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam },
      responses: { 200: ok(moneyBody, '`{money}`: balance, next payout, totals per currency and the latest payouts (the owner or an admin)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ money: await s.moneyReports.vendorMoney(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/money/statement.csv', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam, query: reportRangeQuerySchema },
      responses: {
        200: {
          description: 'The statement as CSV (days `from`..`to` in UTC, both included; the last 30 days by default): an opening balance per currency, then every movement of the payable with gross, commission, net and the running balance',
          content: { 'text/csv': { schema: z.string() } },
        },
        ...errors({ ...authErrors, 404: 'NOT_FOUND' }),
      },
    }),
    async (c) => {
      const statement = await s.moneyReports.statement(c.get('principal')!, c.req.valid('param').id, c.req.valid('query'));
      return c.body(statementCsv(statement), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="statement-${statement.from}-to-${statement.to}.csv"`,
        'cache-control': 'no-store',
      });
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/finance', tags: ['admin'], middleware: requireAuth('admin'),
      request: { query: reportRangeQuerySchema },
      responses: { 200: ok(financeBody, '`{finance}`: GMV, commission, take rate, fees, refunds and escrow per currency over days `from`..`to` (UTC; the last 30 days by default), and payouts due, pending, paid and failed'), ...errors(authErrors) },
    }),
    async (c) => c.json({ finance: await s.moneyReports.finance(c.req.valid('query')) }, 200),
  );
  return r;
}
