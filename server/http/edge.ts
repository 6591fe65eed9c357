import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { AppEnv } from './context';
import { contractCheck } from './contract-check';
import { requestDeadline } from './deadline';
import { requestBody } from './request-body';
import { requestLog } from './request-log';
import { responseHeaders } from './response-headers';

export interface EdgeConfig {
  logger: Logger;
  requestDeadlineMs: number;
  bodyLimitBytes: number;
  /** Test-only: every answer is checked against the route's declared response schema. */
  checkResponses?: boolean;
  observe?: (route: string, method: string, status: number, ms: number) => void;
}

/**
 * What every request passes before any route: its id and log line, security headers, the
 * deadline, the body limit and the NUL guard. Identity and CSRF follow in app.ts.
 */
export function createHttpEdge(app: OpenAPIHono<AppEnv>, config: EdgeConfig) {
  app.use(requestLog(config.logger, config.observe));
  if (config.checkResponses) app.use('/api/*', contractCheck());
  app.use(responseHeaders());
  // A stalled store must not hold a request (and its connection) open: onError answers 503.
  app.use('/api/*', requestDeadline(config.requestDeadlineMs));
  app.use('/api/*', requestBody(config.bodyLimitBytes));
}
