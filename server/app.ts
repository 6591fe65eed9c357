import { mailPreferenceRoutes, unsubscribeRoutes } from './http/mail.routes';
import { swaggerUI } from '@hono/swagger-ui';
import { OpenAPIHono } from '@hono/zod-openapi';
import { getPath } from 'hono/utils/url';
import type { Logger } from 'pino';
import type { SessionGuard } from './auth/session-guard';
import { identify } from './http/auth.middleware';
import { authRoutes } from './http/auth.routes';
import { csrfGuard } from './http/csrf';
import type { AppEnv } from './http/context';
import { healthRoutes, type ReadinessChecks } from './http/health.routes';
import { onError } from './http/on-error';
import { createHttpEdge } from './http/edge';
import { AVAILABILITY_LIMIT, rateLimit } from './http/rate-limit';
import { API_VERSION_PREFIX, versionedDocument, unversionedPath } from './http/api-version';
import { catalogRoutes } from './http/catalog.routes';
import { vendorRoutes } from './http/vendor.routes';
import { staffRoutes } from './http/staff.routes';
import { adminRoutes } from './http/admin.routes';
import { reviewModerationRoutes } from './http/review-moderation.routes';
import { qualityRoutes } from './http/quality.routes';
import { bookingRoutes } from './http/bookings.routes';
import { calendarRoutes } from './http/calendar.routes';
import { webhookRoutes } from './http/webhooks.routes';
import { holdRoutes } from './http/holds.routes';
import { moneyRoutes } from './http/money.routes';
import { moneyReportRoutes } from './http/money-reports.routes';
import { reportRoutes } from './http/reports.routes';
import { disputeRoutes } from './http/disputes.routes';
import { disruptionRoutes } from './http/disruption.routes';
import { paymentRoutes } from './http/payments.routes';
import { payoutAccountRoutes } from './http/payout-accounts.routes';
import type { Services } from './services';
import type { Redis } from 'ioredis';
import { messageRoutes } from './http/messages.routes';
import { repairTrackingRoutes } from './http/repair-tracking.routes';
import { vehicleRoutes } from './http/vehicles.routes';
import { matchRoutes } from './http/match.routes';

/** Verification mails one signed-in user may ask for again per hour. */
const VERIFY_RESENDS_PER_HOUR = 5;
/** Messages one person may post per minute across their booking threads. */
const MESSAGES_PER_MINUTE = 30;
/** VIN decodes and registration lookups per signed-in user per minute (each may cost a DVLA call). */
const VEHICLE_LOOKUPS_PER_MINUTE = 30;
/** A calendar app polls its feed about hourly; this leaves room for several apps behind one address. */
const CALENDAR_FEED_PER_MINUTE = 30;

export interface AppConfig {
  bodyLimitBytes: number;
  tokenTtlHours: number;
  secureCookies: boolean;
  /** TRUST_PROXY: X-Forwarded-Host/Proto name our origin (CSRF check). */
  trustProxy: boolean;
  redisPrefix: string;
  /** An API request still unanswered after this is answered 503 SERVICE_UNAVAILABLE. */
  requestDeadlineMs: number;
  /** NODE_ENV=test: every /api answer is checked against its route's declared schema (contract-check.ts). */
  checkResponses?: boolean;
  /** Stripe mode: STRIPE_PUBLISHABLE_KEY, handed to the browser by `GET /api/payments/config`. */
  stripePublishableKey?: string | null;
  limits: { loginPerMin: number; registerPerHour: number; holdsPerMin: number; confirmsPerMin: number; availabilityPerMin: number; matchPerMin: number; searchPerMin: number };
}

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  guard: SessionGuard;
  services: Services;
  redis: Redis;
  checks: ReadinessChecks;
  /** Extra routes mounted by the composition root (static client, metrics). */
  extend?: (app: OpenAPIHono<AppEnv>) => void;
  /** Called once per request with the matched route pattern (the HTTP latency metric). */
  observe?: (route: string, method: string, status: number, ms: number) => void;
}

/** Builds the Hono app; never listens (main.ts and tests decide where it runs). */
export function createApp(deps: AppDeps) {
  const { config, services, redis } = deps;
  // `/api/v1/…` is the versioned address; `/api/…` stays an alias of v1 (api-version.ts).
  const app = new OpenAPIHono<AppEnv>({ getPath: (req) => unversionedPath(getPath(req)) });
  createHttpEdge(app, { logger: deps.logger, observe: deps.observe, requestDeadlineMs: config.requestDeadlineMs, bodyLimitBytes: config.bodyLimitBytes, checkResponses: config.checkResponses });
  app.use('/api/*', identify(deps.guard));
  app.use('/api/*', csrfGuard(config.trustProxy));

  const limit = (name: string, points: number, durationSec: number) =>
    rateLimit(redis, config.redisPrefix, { name, points, durationSec });

  app.route('/', healthRoutes(deps.checks));
  app.route(
    '/api',
    authRoutes({
      accounts: services.accounts,
      links: services.accountLinks,
      guard: deps.guard,
      tokenTtlHours: config.tokenTtlHours,
      secureCookies: config.secureCookies,
      loginLimit: limit('login', config.limits.loginPerMin, 60),
      registerLimit: limit('register', config.limits.registerPerHour, 3600),
      // Guessing the current password is guessing a password: the login budget applies.
      passwordLimit: limit('password', config.limits.loginPerMin, 60),
      // Asking for reset links (each one mails someone) and trying link tokens: the login budget too.
      linkLimit: limit('account-link', config.limits.loginPerMin, 60),
      // Per user: each resend is a mail to their own address.
      resendLimit: rateLimit(redis, config.redisPrefix, { name: 'verify-resend', points: VERIFY_RESENDS_PER_HOUR, durationSec: 3600 }, (c) => c.get('principal')?.id ?? 'anon'),
    }),
  );
  // Per address: snapshots are the expensive anonymous read (the socket's watch shares this budget);
  // the search is another (as-you-type, so a budget a fast typist never meets).
  app.route('/api', catalogRoutes(services, limit(AVAILABILITY_LIMIT, config.limits.availabilityPerMin, 60), limit('search', config.limits.searchPerMin, 60)));
  app.route('/api', vendorRoutes(services));
  app.route('/api', staffRoutes(services));
  app.route('/api', adminRoutes(services, deps.guard));
  app.route('/api', reviewModerationRoutes(services));
  app.route('/api', qualityRoutes(services));
  app.route('/api', moneyRoutes(services));
  app.route('/api', moneyReportRoutes(services));
  app.route('/api', reportRoutes(services));
  app.route('/api', payoutAccountRoutes(services));
  // Holds are rate-limited per customer inside the hold's own customer script (holdRules.perMinute).
  app.route('/api', holdRoutes(services));
  // Before the booking routes: `/bookings/:id/messages` is not a lifecycle `/bookings/:id/:action`.
  // Per author: a thread is a conversation, not a channel for floods.
  app.route('/api', messageRoutes(services, rateLimit(redis, config.redisPrefix, { name: 'messages', points: MESSAGES_PER_MINUTE, durationSec: 60 }, (c) => c.get('principal')?.id ?? 'anon')));
  // Before the booking routes too: `/bookings/:id/dispute`.
  app.route('/api', disputeRoutes(services));
  app.route('/api', repairTrackingRoutes(services));
  // And `/bookings/:id/workshop-cancel`, `…/workshop-move`, `…/cancel-after-move`.
  app.route('/api', disruptionRoutes(services));
  app.route(
    '/api',
    bookingRoutes(
      services,
      rateLimit(redis, config.redisPrefix, { name: 'confirms', points: config.limits.confirmsPerMin, durationSec: 60 }, (c) => c.get('principal')?.id ?? 'anon'),
    ),
  );

  // Per address: a feed's secret address is its credential, so guessing is throttled too.
  app.route('/api', calendarRoutes(services, limit('calendar-feed', CALENDAR_FEED_PER_MINUTE, 60)));

  app.route('/api', webhookRoutes(services));

  // Signed by the provider instead of a session (stripe mode only).
  app.route('/api', mailPreferenceRoutes(services));
  // Per address: a match reads live counts for up to 60 workshops (tens of ms of CPU), anonymous callers included.
  app.route('/api', matchRoutes(services, limit('match', config.limits.matchPerMin, 60)));
  app.route('/api', vehicleRoutes(services, rateLimit(redis, config.redisPrefix, { name: 'vehicle-lookups', points: VEHICLE_LOOKUPS_PER_MINUTE, durationSec: 60 }, (c) => c.get('principal')?.id ?? 'anon')));
  app.route('/', unsubscribeRoutes(services));
  app.route('/api', paymentRoutes({
    provider: services.payments.provider.name, publishableKey: config.stripePublishableKey ?? null, webhooks: services.payments.webhooks,
    testAuthentication: services.payments.provider.completeTestAuthentication,
  }));

  app.get('/openapi.json', (c) => c.json(openApiDocument(app)));
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));
  deps.extend?.(app);

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `No route for ${c.req.method} ${c.req.path}` } }, 404));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;

/** The published contract: every operation under its versioned path (`/api/v1/…`). */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  const doc = app.getOpenAPIDocument({
    openapi: '3.0.0',
    info: {
      title: 'Holdfast API',
      version: '1.0.0',
      description: `Served under ${API_VERSION_PREFIX}; /api is an alias of v1. Within v1 changes are additive only (new operations, new optional inputs, new response fields); a breaking change ships as /api/v2 with v1 kept through a deprecation window.`,
    },
  });
  return versionedDocument(doc);
}
