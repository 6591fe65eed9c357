import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApp } from './app';
import { createSessionGuard, type SessionGuard } from './auth/session-guard';
import { createTokenService } from './auth/tokens';
import { sharedSecret } from './db/app-secret.repository';
import { createSessionRepository } from './db/session.repository';
import { createSessions } from './domain/sessions';
import { migrateDatabase } from './db/migrate';
import { DeadlineGuard } from './db/deadline-guard';
import { ormConfig, pgTimeoutOptions } from './db/orm-config';
import { createPgPool, type SqlPool } from './db/pg-pool';
import { systemClock, type Clock } from './domain/clock';
import type { Env } from './env';
import { createVinDecoder } from './vehicles/vin-decoder';
import { createDvlaProvider } from './vehicles/dvla-provider';
import type { FaultHook } from './domain/hold-commit';
import { createLogger } from './logger';
import { createHoldStore, type HoldStore } from './redis/hold-store';
import { createSlotSnapshots } from './redis/slot-snapshot';
import { createRedis, failFastOptions, untilReady, watchRedis, type RedisTarget } from './redis/redis-client';
import { runChained } from './chained-timer';
import { createServices } from './services';
import { createPaymentProvider } from './payments/payment-provider';
import { mountClient } from './http/static.routes';
import { boardRoutes } from './http/board.routes';
import { metricsRoutes } from './http/metrics.routes';
import { AVAILABILITY_LIMIT, createLimiter, normalizeAddress } from './http/rate-limit';
import { createBoardRepository } from './db/board.repository';
import { createMetrics, type Metrics } from './metrics/metrics';
import { createRealtime, type Realtime } from './realtime/realtime-server';
import { createBoard } from './domain/board';
import { createDomainEvents } from './domain/domain-events';
import { silentPublisher } from './domain/booking-ports';
import { startMailWorker, type MailWorker } from './mail/mail-worker';
import { createMailTransport } from './mail/transport';
import { createUnsubscribeTokens } from './mail/unsubscribe-token';
import { createLinkSecrets } from './auth/link-tokens';
import type { QualityThresholds } from '@shared/schemas/quality';

/** How often each process checks whether a day's payouts are due (and retries pending transfers). */
const PAYOUT_CHECK_MS = 60_000;

export interface RunningServer {
  url: string;
  /** The configuration it runs with. */
  env: Env;
  port: number;
  app: ReturnType<typeof createApp>;
  services: ReturnType<typeof createServices>;
  orm: MikroORM;
  /** The hot path's plain pg pool (confirms), beside the ORM's. */
  sql: SqlPool;
  redis: Redis;
  holdStore: HoldStore;
  logger: Logger;
  realtime: Realtime;
  metrics: Metrics;
  /** Sessions: sign someone in (tests mint tokens through it), end sessions. */
  guard: SessionGuard;
  /** The mail relay and worker, when MAIL_WORKER is on. */
  mail?: MailWorker;
  close(): Promise<void>;
}

/** Test-only: with FAULT_PAUSE_AT (NODE_ENV=test only, checked by env.ts) a confirm stops there for good. */
function faultHook(env: Env, logger: Logger): FaultHook | undefined {
  const at = env.NODE_ENV === 'test' ? env.FAULT_PAUSE_AT : undefined;
  if (!at) return undefined;
  return async (step) => {
    if (step !== at) return;
    logger.warn({ fault: step }, 'fault hook: paused');
    await new Promise<never>(() => {});
  };
}

/**
 * Starts one Holdfast process: migrations, stores, HTTP. Used by main.ts, tests and the bench.
 * `sweepers`: all background sweeps (default), none (`false`), or only the hold sweeper
 * (`'holds'`: Redis, confined to this process's key prefix; tests that share one database use it).
 * `webhooks`: the webhook delivery worker (default on; tests turn it on only where they test it,
 * since it would take other files' deliveries from the shared database).
 */
/** The quality thresholds from the QUALITY_* settings. */
export const qualityThresholdsOf = (env: Env): QualityThresholds => ({
  minRating: env.QUALITY_MIN_RATING,
  minReviews: env.QUALITY_MIN_REVIEWS,
  minCompletionRate: env.QUALITY_MIN_COMPLETION_RATE,
  minFinished: env.QUALITY_MIN_FINISHED,
  maxMedianResponseMinutes: env.QUALITY_MAX_MEDIAN_RESPONSE_MINUTES,
  minResponses: env.QUALITY_MIN_RESPONSES,
  maxCancellationRate: env.QUALITY_MAX_CANCELLATION_RATE,
  minAccepted: env.QUALITY_MIN_ACCEPTED,
  windowDays: env.QUALITY_WINDOW_DAYS,
});

export async function startServer(env: Env, opts: { clock?: Clock; logger?: Logger; migrate?: boolean; sweepers?: boolean | 'holds'; webhooks?: boolean } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;
  if (opts.migrate !== false) await migrateDatabase(env.DATABASE_URL);
  const pgTimeouts = { connectMs: env.PG_CONNECT_TIMEOUT_MS, acquireMs: env.PG_ACQUIRE_TIMEOUT_MS, statementMs: env.PG_STATEMENT_TIMEOUT_MS };
  const orm = await MikroORM.init(
    ormConfig(env.DATABASE_URL, {
      ...pgTimeoutOptions({ ...pgTimeouts, poolMax: env.PG_POOL_MAX }),
      subscribers: [new DeadlineGuard()],
    }),
  );
  const sql = createPgPool(env.DATABASE_URL, pgTimeouts, { max: env.PG_HOT_POOL_MAX, onError: (err) => logger.warn({ err }, 'idle hot-pool Postgres connection failed') });
  const redisOptions = failFastOptions({ commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS, connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS });
  const redisTarget: RedisTarget = env.REDIS_CLUSTER_NODES ? { clusterNodes: env.REDIS_CLUSTER_NODES } : { url: env.REDIS_URL };
  // Auto-pipelining: commands issued in the same tick (many concurrent holds) share one write
  // (on a cluster, one write per node).
  const redis = createRedis(redisTarget, { ...redisOptions, enableAutoPipelining: true });
  watchRedis(redis, 'commands', logger);
  try {
    await untilReady(redis);
  } catch (err) {
    redis.disconnect();
    await Promise.all([orm.close(true), sql.close()]);
    throw err;
  }
  const holdStore = createHoldStore({ redis, prefix: env.REDIS_PREFIX, clock, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS, repairGraceMs: env.REPAIR_GRACE_MS });
  // Unset outside production (env.ts refuses that in production): every process on this
  // database uses the one secret the first of them generated and stored.
  const secret = env.JWT_SECRET ?? (await sharedSecret(orm, 'jwt'));
  const tokens = createTokenService(secret, env.TOKEN_TTL_HOURS);
  const unsubscribe = createUnsubscribeTokens(secret);
  const linkSecrets = createLinkSecrets(secret);
  // A sign-in lasts as long as its token: wall-clock time, whatever clock the domain is given.
  const sessions = createSessions({ store: createSessionRepository(orm), clock: systemClock, ttlHours: env.TOKEN_TTL_HOURS });
  const guard = createSessionGuard({ tokens, sessions, recheckMs: env.SESSION_RECHECK_MS });
  const metrics = createMetrics();
  // Services first: they publish into the domain's event bus and never know who listens.
  const events = createDomainEvents();
  // Started on the first decode (a worker thread), so start-up loads none of it.
  const vinDecoder = createVinDecoder();
  const services = createServices({
    vehicles: {
      vin: vinDecoder,
      registrations: createDvlaProvider({ apiKey: env.DVLA_API_KEY, baseUrl: env.DVLA_BASE_URL, timeoutMs: env.DVLA_TIMEOUT_MS, log: logger }),
    },
    orm,
    sql,
    clock,
    holds: holdStore,
    snapshots: createSlotSnapshots({ redis, prefix: env.REDIS_PREFIX, clock, repairGraceMs: env.REPAIR_GRACE_MS }),
    horizonDays: env.SLOT_HORIZON_DAYS,
    maxSlotsPerWorkshop: env.MAX_SLOTS_PER_WORKSHOP,
    // The hold rate limit runs inside the customer's hold script (same round trip as the hold).
    holdRules: { maxActivePerCustomer: env.MAX_ACTIVE_HOLDS, perMinute: env.RATE_LIMIT_HOLDS_PER_MIN },
    maxOpenBookings: env.MAX_OPEN_BOOKINGS,
    money: { platformDefaultBps: env.COMMISSION_DEFAULT_BPS, disputeWindowHours: env.DISPUTE_WINDOW_HOURS },
    quality: qualityThresholdsOf(env),
    payouts: { minimumMinor: env.PAYOUT_MINIMUM_MINOR, hourUtc: env.PAYOUT_HOUR_UTC, accountCountry: env.PAYOUT_ACCOUNT_COUNTRY },
    publisher: events.publisher,
    faults: faultHook(env, logger),
    payments: createPaymentProvider(env, { orm, clock }),
    publicUrl: env.PUBLIC_URL,
    reconciled: (r) => {
      metrics.reconciliationDifferences(r.differences.length);
      if (r.differences.length) logger.warn({ checked: r.checked, differences: r.differences.slice(0, 50), count: r.differences.length }, 'money reconciliation found differences');
    },
    scryptCostLog2: env.SCRYPT_COST_LOG2,
    webhooks: {
      allowNetworks: env.WEBHOOK_ALLOW_NETWORKS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      // Longer than a send can take, so a claimed delivery is never sent twice at once.
      policy: { leaseMs: Math.max(60_000, env.WEBHOOK_TIMEOUT_MS * 3), disableAfter: env.WEBHOOK_DISABLE_AFTER },
      onDisabled: (endpoint, reason) => logger.warn({ endpointId: endpoint.id, url: endpoint.url, reason }, 'webhook endpoint disabled'),
    },
    unsubscribe,
    linkSecrets,
  });
  metrics.ledgerImbalanceWith(() => services.stores.ledger.imbalance());
  const boardFacts = createBoardRepository(orm);
  const snapshotLimit = createLimiter(redis, env.REDIS_PREFIX, { name: AVAILABILITY_LIMIT, points: env.RATE_LIMIT_AVAILABILITY_PER_MIN, durationSec: 60 });
  const realtime = await createRealtime({
    redisTarget,
    redisOptions,
    longPolling: env.SOCKET_LONG_POLLING,
    prefix: env.REDIS_PREFIX,
    redis,
    guard,
    recheckMs: env.SESSION_RECHECK_MS,
    trustProxy: env.TRUST_PROXY,
    clock,
    logger,
    metrics,
    ports: {
      availability: services.availability,
      vendorWorkshops: async (p) => (await services.access.workshopsOf(p.id)).map((m) => m.workshopId),
      ownerOf: services.ownerOf,
      // One budget with HTTP availability reads, per client address.
      limitSnapshot: (address) => snapshotLimit(normalizeAddress(address)),
      board: ({ presence, counters }) => createBoard({
        facts: boardFacts,
        holds: {
          async activeHolds(ids) {
            const counts = await Promise.all(ids.map((id) => holdStore.activeHoldCount(id)));
            return new Map(ids.map((id, i) => [id, counts[i] ?? 0]));
          },
        },
        presence,
        counters,
        clock,
      }),
    },
  }).catch(async (err: unknown) => {
    redis.disconnect();
    await Promise.all([orm.close(true), sql.close()]);
    throw err;
  });
  // Before anything below changes counts: every change from here on reaches sockets in every process.
  events.subscribe(realtime.publisher);

  // Mail: the relay and worker on the job queue (server/mail/mail-worker.ts). Booking writes put
  // their messages in the outbox in their own transaction; a write here kicks the relay at once,
  // and its timer picks up every other process's rows (and a crashed one's).
  const mail = env.MAIL_WORKER
    ? await startMailWorker({ env, clock, logger, transport: createMailTransport(env.SMTP_URL, logger), tokens: unsubscribe, links: linkSecrets }).catch(async (err: unknown) => {
      await realtime.close();
      redis.disconnect();
      await Promise.all([orm.close(true), sql.close()]);
      throw err;
    })
    : undefined;
  if (mail) events.subscribe({ ...silentPublisher, bookingChanged: () => mail.kick(), accountMailOwed: () => mail.kick(), jobUpdated: () => mail.kick(), quoteChanged: () => mail.kick() });

  // Drift left by a crash (a hold consumed, its booking never committed) or by anything else is
  // repaired before this process serves; afterwards every process re-checks the workshops it saw change.
  const repaired = await services.live.reconcileAll().catch((err: unknown) => {
    logger.error({ err }, 'start-up slot reconcile failed (snapshot reads and the periodic pass still repair)');
    return 0;
  });
  if (repaired) logger.warn({ repaired }, 'slot counters repaired from Postgres at start-up');
  const reconcileTimer = env.RECONCILE_INTERVAL_MS > 0 ? setInterval(() => {
    services.live.reconcileTouched()
      .then((n) => n && logger.warn({ repaired: n }, 'slot counters repaired from Postgres'))
      .catch((err) => logger.error({ err }, 'slot reconcile failed'));
  }, env.RECONCILE_INTERVAL_MS) : undefined;
  reconcileTimer?.unref();

  const app = createApp({
    config: {
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      tokenTtlHours: env.TOKEN_TTL_HOURS,
      secureCookies: env.NODE_ENV === 'production',
      trustProxy: env.TRUST_PROXY,
      redisPrefix: env.REDIS_PREFIX,
      requestDeadlineMs: env.REQUEST_DEADLINE_MS,
      checkResponses: env.NODE_ENV === 'test',
      stripePublishableKey: env.STRIPE_PUBLISHABLE_KEY ?? null,
      limits: {
        loginPerMin: env.RATE_LIMIT_LOGIN_PER_MIN,
        registerPerHour: env.RATE_LIMIT_REGISTER_PER_HOUR,
        holdsPerMin: env.RATE_LIMIT_HOLDS_PER_MIN,
        confirmsPerMin: env.RATE_LIMIT_CONFIRMS_PER_MIN,
        availabilityPerMin: env.RATE_LIMIT_AVAILABILITY_PER_MIN,
        matchPerMin: env.RATE_LIMIT_MATCH_PER_MIN,
        searchPerMin: env.RATE_LIMIT_SEARCH_PER_MIN,
      },
    },
    logger,
    guard,
    services,
    redis,
    observe: metrics.observeHttp,
    extend: (a) => {
      a.route('/api', boardRoutes(realtime.board));
      a.route('/', metricsRoutes(metrics.registry));
    },
    checks: {
      postgres: async () => {
        await orm.em.getConnection().execute('select 1');
      },
      redis: async () => {
        await redis.ping();
      },
    },
  });

  if (env.SERVE_CLIENT) {
    const dist = fileURLToPath(new URL('../client/dist', import.meta.url));
    if (!mountClient(app, dist, { provider: env.PAYMENT_PROVIDER })) logger.warn({ dist }, 'client not built: run `npm run build` to serve the UI');
  }

  // The horizon rolls forward by itself: new days' slots appear without anyone editing hours.
  const roll = () => services.slots.rollHorizon().catch((err) => logger.error({ err }, 'slot horizon roll failed'));
  // Sessions are kept until they expire (a revoked one must keep answering "no"), then dropped.
  const purge = () => {
    sessions.purgeExpired().catch((err) => logger.warn({ err }, 'expired session purge failed'));
    services.bookings.purgeExpiredKeys().catch((err) => logger.warn({ err }, 'expired idempotency key purge failed'));
  };
  const holdSweeps = opts.sweepers !== false;
  const storeSweeps = opts.sweepers === undefined || opts.sweepers === true;
  const purgeTimer = !storeSweeps ? undefined : setInterval(purge, 3_600_000);
  purgeTimer?.unref();
  const rollTimer = env.SLOT_ROLL_MINUTES > 0 ? setInterval(roll, env.SLOT_ROLL_MINUTES * 60_000) : undefined;
  rollTimer?.unref();
  if (rollTimer) void roll();

  // Every process sweeps: expired holds go back (exactly once across processes), overdue requests expire.
  const sweeper = !holdSweeps ? undefined : holdStore.startSweeper({
    intervalMs: env.SWEEP_INTERVAL_MS,
    onReleased: (r) => {
      metrics.sweeperLag(clock.now() - r.hold.expiresAt);
      services.holds.expired(r);
    },
    onError: (err) => logger.error({ err }, 'hold sweep failed'),
  });
  // Chained like the hold sweeper: the next sweep starts a pause after the last one ended, so a
  // slow Postgres never piles sweeps up.
  const slaSweeper = !storeSweeps ? undefined : runChained(
    () => services.transitions.expireOverdue(),
    { intervalMs: env.SLA_SWEEP_INTERVAL_MS, onError: (err) => logger.error({ err }, 'accept-SLA sweep failed') },
  );

  // Re-verification: verified workshops whose insurance expired go back to pending. Every process may
  // run it; the guarded update lapses each workshop once.
  const insuranceSweeper = !storeSweeps ? undefined : runChained(
    async () => {
      const lapsed = await services.catalog.lapseExpiredInsurance();
      if (lapsed.length) logger.info({ workshops: lapsed.slice(0, 50), count: lapsed.length }, 'insurance lapsed: workshops back to pending until re-verified');
    },
    { intervalMs: env.INSURANCE_SWEEP_INTERVAL_MS, onError: (err) => logger.error({ err }, 'insurance lapse sweep failed') },
  );

  // Money that follows bookings: provider calls due or to retry, authorizations about to lapse,
  // escrow past the dispute window, and authorizations no booking took. Every process runs it: the
  // provider keys, the ledger causes and the rows' guarded updates make a second runner harmless.
  const paymentSweeper = !storeSweeps ? undefined : runChained(
    async () => {
      const { flow, confirm } = services.bookingPayments;
      await flow.sweepPending();
      await flow.captureBeforeLapse();
      await flow.releaseDue();
      await confirm.sweepOrphans();
    },
    { intervalMs: env.PAYMENT_SWEEP_INTERVAL_MS, onError: (err) => logger.error({ err }, 'payment sweep failed') },
  );
  // Daily settlement: checked every minute, each process settles the due day once (the payout's
  // unique (workshop, currency, day) key pays each workshop once whichever process gets there) and
  // retries pending transfers on the other ticks.
  const payoutScheduler = !storeSweeps || !env.PAYOUTS_ENABLED ? undefined : runChained(
    async () => {
      const r = await services.payouts.tick((err, p) => logger.warn({ err, payoutId: p.id }, 'payout transfer not finished: retried next run'));
      if (r && (r.paid.length || r.failed.length)) logger.info({ period: r.period, paid: r.paid.length, failed: r.failed.length, pending: r.pending.length }, 'payouts settled');
      // Not a failure: the workshop has no account payouts can reach yet; its balance waits.
      if (r?.skipped.length) logger.warn({ period: r.period, skipped: r.skipped.slice(0, 50), count: r.skipped.length }, 'payouts skipped: workshops without a payouts-enabled account');
      for (const f of r?.failed ?? []) logger.error({ payoutId: f.id, workshopId: f.workshopId, reason: f.failureReason }, 'payout failed: the balance stays with the workshop for the next settlement');
    },
    { intervalMs: PAYOUT_CHECK_MS, onError: (err) => logger.error({ err }, 'payout settlement failed') },
  );
  // The ledger against booking payments and the provider's records; differences are logged and on /metrics.
  const moneyReconciler = !storeSweeps || env.MONEY_RECONCILE_INTERVAL_MS === 0 ? undefined : runChained(
    () => services.reconciliation.run(),
    { intervalMs: env.MONEY_RECONCILE_INTERVAL_MS, onError: (err) => logger.error({ err }, 'money reconciliation failed') },
  );
  // Every process delivers webhooks; SKIP LOCKED claims keep them from sending one attempt twice.
  const webhookWorker = opts.webhooks === false || env.WEBHOOK_POLL_MS === 0 ? undefined : runChained(
    () => services.webhooks.deliverDue(),
    { intervalMs: env.WEBHOOK_POLL_MS, onError: (err) => logger.error({ err }, 'webhook delivery round failed') },
  );

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => resolve(s));
    s.once('error', reject); // e.g. EADDRINUSE: the caller decides (main.ts exits with a message)
  });
  realtime.attach(server);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  logger.info({ url }, 'Holdfast listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(rollTimer);
      clearInterval(purgeTimer);
      clearInterval(reconcileTimer);
      await Promise.all([sweeper?.stop(), slaSweeper?.stop(), insuranceSweeper?.stop(), paymentSweeper?.stop(), payoutScheduler?.stop(), moneyReconciler?.stop(), webhookWorker?.stop()]);
      const httpClosed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open; end them once in-flight requests had a moment.
        setTimeout(() => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), 2000).unref();
      });
      // Ends the sockets (which would keep the HTTP server open) and the adapter's Redis clients.
      await realtime.close();
      await httpClosed;
      await mail?.close();
      await Promise.all([orm.close(true), sql.close(), vinDecoder.close()]);
      redis.disconnect();
    })());

  return { url, env, port, app, services, orm, sql, redis, holdStore, logger, realtime, metrics, guard, mail, close };
}
