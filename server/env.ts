import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { SCRYPT_COST_LOG2 } from './auth/password';
import { COMMIT_STEPS } from './domain/hold-commit';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/holdfast'),
    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().min(1).max(64).default('hf:'),
    /**
     * `host:port,host:port,…`: seed nodes of a Redis Cluster. Set, every Redis use (hold store,
     * limits, pub/sub, the Socket.IO adapter) goes through one cluster client and REDIS_URL is unused.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((raw, ctx) => {
        const nodes = raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
          const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(s);
          const port = m ? Number(m[2]) : 0;
          if (!m || port < 1 || port > 65535) {
            ctx.addIssue({ code: 'custom', message: `"${s}" is not host:port` });
            return { host: '', port: 0 };
          }
          return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
        });
        if (!nodes.length) ctx.addIssue({ code: 'custom', message: 'name at least one host:port' });
        return nodes;
      })
      .optional(),
    /** Worker processes `npm start` runs on this host (node:cluster, one shared port); 1 = a single process. */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
    /**
     * Let Socket.IO clients fall back to HTTP long-polling. Off: WebSocket only, which needs no
     * sticky sessions (one TCP connection per socket). Long-polling spreads one socket's requests
     * over several connections, so it needs every request of a socket to reach the same process:
     * refused with WEB_CONCURRENCY > 1 (node:cluster deals connections round-robin).
     */
    SOCKET_LONG_POLLING: bool.default(false),
    /** Unset outside production: the processes share one generated and stored in Postgres. */
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    TOKEN_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SLOT_HORIZON_DAYS: z.coerce.number().int().min(1).max(365).default(28),
    /** Minutes between rolling the slot horizon forward; 0 turns it off (tests). */
    SLOT_ROLL_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(60),
    MAX_ACTIVE_HOLDS: z.coerce.number().int().min(1).max(100).default(3),
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
    /**
     * Background work this process does: `all` (hold expiry, accept-SLA, payment, payout, money
     * reconciliation and webhook delivery); `holds` (only its hold expiry); `none`. Every process
     * may run all of it (each job is safe to run twice); `holds` suits extra web-only processes.
     */
    BACKGROUND_WORK: z.enum(['all', 'holds', 'none']).default('all'),
    /** Pause between the end of one accept-SLA sweep and the start of the next. */
    SLA_SWEEP_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
    /** Pause between insurance-lapse sweeps (verified workshops whose insurance expired go back to pending). */
    INSURANCE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(900_000),
    /** Quality thresholds (admin quality queue): see docs/architecture.md "Trust and quality". */
    QUALITY_MIN_RATING: z.coerce.number().min(0).max(5).default(3.0),
    QUALITY_MIN_REVIEWS: z.coerce.number().int().min(1).max(10_000).default(10),
    QUALITY_MIN_COMPLETION_RATE: z.coerce.number().min(0).max(1).default(0.8),
    QUALITY_MIN_FINISHED: z.coerce.number().int().min(1).max(10_000).default(10),
    QUALITY_MAX_MEDIAN_RESPONSE_MINUTES: z.coerce.number().min(1).max(100_000).default(120),
    QUALITY_MIN_RESPONSES: z.coerce.number().int().min(1).max(10_000).default(10),
    QUALITY_MAX_CANCELLATION_RATE: z.coerce.number().min(0).max(1).default(0.1),
    QUALITY_MIN_ACCEPTED: z.coerce.number().int().min(1).max(10_000).default(10),
    QUALITY_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** Pause between payment sweeps (pending provider calls and retries, early captures, escrow releases, orphaned authorizations). */
    PAYMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(20).max(3_600_000).default(30_000),
    /** A Redis command not answered within this fails (no offline queue): the request gets 503. */
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(500),
    REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    /** Longest wait for a free pooled connection. */
    PG_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    /**
     * Postgres connections per server process: the ORM's pool and the hot path's (confirms) pool.
     * Every worker opens its own, so WEB_CONCURRENCY × (both) must stay under max_connections.
     */
    PG_POOL_MAX: z.coerce.number().int().min(2).max(200).default(20),
    PG_HOT_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** Postgres cancels a longer statement; the client gives up on a reply at the same bound. */
    PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3000),
    /** An API request not answered by then gets 503 SERVICE_UNAVAILABLE. */
    REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
    RATE_LIMIT_LOGIN_PER_MIN: z.coerce.number().int().min(1).default(10),
    RATE_LIMIT_REGISTER_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_HOLDS_PER_MIN: z.coerce.number().int().min(1).default(60),
    /** Booking confirmations per customer per minute. */
    RATE_LIMIT_CONFIRMS_PER_MIN: z.coerce.number().int().min(1).default(10),
    /** Availability snapshots (HTTP and `workshop:watch`, one shared budget) per client IP per minute. */
    RATE_LIMIT_AVAILABILITY_PER_MIN: z.coerce.number().int().min(1).default(120),
    RATE_LIMIT_MATCH_PER_MIN: z.coerce.number().int().min(1).default(120),
    RATE_LIMIT_SEARCH_PER_MIN: z.coerce.number().int().min(1).default(300),
    /** Bookings one customer may have open (pending, accepted, in progress) at once. */
    MAX_OPEN_BOOKINGS: z.coerce.number().int().min(1).max(1000).default(5),
    /** Slots one workshop may have over the horizon; hours or slot lengths beyond it are refused. Also caps one snapshot. */
    MAX_SLOTS_PER_WORKSHOP: z.coerce.number().int().min(100).max(100_000).default(5000),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
    SERVE_CLIENT: bool.default(true),
    /** How long a process trusts its last look at a session and its account (role, suspension, deletion). */
    SESSION_RECHECK_MS: z.coerce.number().int().min(50).max(60_000).default(5000),
    /** Behind a reverse proxy that sets them: X-Forwarded-Host/Proto name our own origin. */
    TRUST_PROXY: bool.default(false),
    /** Milliseconds between passes that put Redis's slot counters back in line with Postgres; 0 turns it off. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /** Repairs leave a slot alone this long after a confirm or return moved its booked count (its COMMIT may be in flight). */
    REPAIR_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
    /** Platform commission on captured money, in basis points (1000 = 10 %), unless an admin set a workshop or category rate. */
    COMMISSION_DEFAULT_BPS: z.coerce.number().int().min(0).max(10_000).default(1000),
    /** Hours after completion that captured money stays in escrow (customers may dispute until then). */
    MONEY_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
    DISPUTE_WINDOW_HOURS: z.coerce.number().int().min(0).max(24 * 90).default(72),
    /** Payouts: a workshop's payable balance is paid out once it is at least this many minor units (1000 = £10). */
    PAYOUT_MINIMUM_MINOR: z.coerce.number().int().min(1).max(99_999_999).default(1000),
    /** Payouts: the hour (UTC) from which each day's settlement runs. */
    PAYOUT_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(6),
    /** Payouts: the ISO 3166-1 country a workshop's payout account is opened in at the provider. */
    PAYOUT_ACCOUNT_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'PAYOUT_ACCOUNT_COUNTRY must be a two-letter country code such as GB').default('GB'),
    /** Payouts: `false` stops the daily settlement in this process (another process or a manual run pays). */
    PAYOUTS_ENABLED: bool.default(true),
    /** Who moves the money: `simulated` (a test-mode card processor kept in Postgres; the default) or `stripe`. */
    /** DVLA Vehicle Enquiry Service API key: registration lookup in the garage. Unset: lookups answer 503 LOOKUP_UNAVAILABLE (enter details by hand). */
    DVLA_API_KEY: z.string().trim().min(1).optional(),
    /** The Vehicle Enquiry Service's address (a fake in tests). */
    DVLA_BASE_URL: z.url().default('https://driver-vehicle-licensing.api.gov.uk'),
    /** Outbound timeout of one registration lookup (connect to last byte). */
    DVLA_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    PAYMENT_PROVIDER: z.enum(['simulated', 'stripe']).default('simulated'),
    /** Simulated processor only: hours an authorization stays capturable (card networks: about 7 days). */
    SIMULATED_AUTHORIZATION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 31).default(24 * 7),
    /** Stripe mode: the secret API key (`sk_test_…`, `sk_live_…`, or a restricted `rk_…`). */
    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'STRIPE_SECRET_KEY must look like sk_test_… or sk_live_… (or a restricted rk_… key)').optional(),
    /** Stripe mode: the publishable key (`pk_test_…`, `pk_live_…`) the browser's Stripe.js uses to turn a card into a `pm_…` payment method. */
    STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, 'STRIPE_PUBLISHABLE_KEY must look like pk_test_… or pk_live_…').optional(),
    /** Stripe mode: the signing secret of the webhook endpoint (`whsec_…`). */
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/, 'STRIPE_WEBHOOK_SECRET must look like whsec_…').optional(),
    /** Stripe mode, tests and development only: where Stripe's API is (a local server playing it); api.stripe.com when unset. */
    STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Outgoing webhooks go to public addresses only. Comma-separated ipaddr.js ranges to allow as
     * well (`loopback`, `private`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`): for receivers on
     * your own network, and for tests (loopback). Empty by default.
     */
    WEBHOOK_ALLOW_NETWORKS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']))),
    /** Milliseconds between the webhook worker's passes over due deliveries (every process runs one); 0 turns it off. */
    WEBHOOK_POLL_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
    /** Failed attempts in a row after which an endpoint is disabled (its owner re-enables it). */
    WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(10_000).default(20),
    /** A receiver that has not answered within this many milliseconds counts as a failed attempt. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
    /** Test-only (NODE_ENV=test): a confirm/reschedule stops for good at this step, so a test can kill the process there. */
    FAULT_PAUSE_AT: z.enum(COMMIT_STEPS).optional(),
    /**
     * Where mail goes: `smtp://user:pass@host:port` (`smtps://` for TLS). Unset outside production:
     * each message is logged (subject, recipient, text) instead of sent. Required in production.
     */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** The From of every message. */
    MAIL_FROM: z.string().min(3).default('Holdfast <no-reply@holdfast.localhost>'),
    /** The app's address as people open it: links in mail (bookings, unsubscribe) start with it. */
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    /** Run the mail relay and worker in this process (on by default; every process may, they share the work). */
    MAIL_WORKER: bool.default(true),
    /** Postgres connections of the mail relay and the job queue (pg-boss) per process. */
    MAIL_POOL_MAX: z.coerce.number().int().min(1).max(20).default(3),
    /** Messages one process sends at once. */
    MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(2),
    /** Pause between relay passes (outbox rows no kick reached: another process's, or left by a crash). */
    MAIL_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** How often an idle worker asks the queue for work. */
    MAIL_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
    /** A send still running after this is given up (a killed worker's message is retried after it). */
    MAIL_JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Retries of a failed send, with exponential backoff from MAIL_RETRY_DELAY_SECONDS. */
    MAIL_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(8),
    MAIL_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    /** How often the queue's maintenance (expiring timed-out sends, archiving) runs, across all processes. */
    MAIL_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** log2 of scrypt's cost N for new password hashes; below the default only with NODE_ENV=test (fast test accounts). */
    SCRYPT_COST_LOG2: z.coerce.number().int().min(10).max(20).default(SCRYPT_COST_LOG2),
  })
  .superRefine((v, ctx) => {
    if (v.SOCKET_LONG_POLLING && v.WEB_CONCURRENCY > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['SOCKET_LONG_POLLING'],
        message: 'SOCKET_LONG_POLLING=true needs sticky sessions, which node:cluster workers do not have: set WEB_CONCURRENCY=1 (one process per container, sticky load balancer in front) or leave long-polling off',
      });
    }
    if (v.FAULT_PAUSE_AT && v.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['FAULT_PAUSE_AT'], message: 'FAULT_PAUSE_AT is only allowed when NODE_ENV=test' });
    }
    if (v.PAYMENT_PROVIDER === 'stripe') {
      if (!v.STRIPE_SECRET_KEY) ctx.addIssue({ code: 'custom', path: ['STRIPE_SECRET_KEY'], message: 'PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY (the secret key from the Stripe dashboard, sk_test_… or sk_live_…), or use PAYMENT_PROVIDER=simulated' });
      if (!v.STRIPE_PUBLISHABLE_KEY) ctx.addIssue({ code: 'custom', path: ['STRIPE_PUBLISHABLE_KEY'], message: 'PAYMENT_PROVIDER=stripe needs STRIPE_PUBLISHABLE_KEY (the publishable key from the Stripe dashboard, pk_test_… or pk_live_…: the card form loads Stripe.js with it)' });
      if (!v.STRIPE_WEBHOOK_SECRET) ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'PAYMENT_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET (the whsec_… signing secret of the webhook endpoint /api/payments/webhooks/stripe)' });
    }
    const keyMode = (key: string | undefined) => /_(test|live)_/.exec(key ?? '')?.[1];
    if (v.STRIPE_SECRET_KEY && v.STRIPE_PUBLISHABLE_KEY && keyMode(v.STRIPE_SECRET_KEY) !== keyMode(v.STRIPE_PUBLISHABLE_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_PUBLISHABLE_KEY'], message: 'STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY must both be test keys or both live keys' });
    }
    if (v.STRIPE_API_BASE && v.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_API_BASE'], message: 'STRIPE_API_BASE points the Stripe client away from api.stripe.com: not allowed when NODE_ENV=production' });
    }
    if (v.SCRYPT_COST_LOG2 < SCRYPT_COST_LOG2 && v.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['SCRYPT_COST_LOG2'], message: `SCRYPT_COST_LOG2 below ${SCRYPT_COST_LOG2} is only allowed when NODE_ENV=test` });
    }
    if (v.NODE_ENV === 'production' && v.MAIL_WORKER && !v.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'SMTP_URL is required when NODE_ENV=production (smtp://user:pass@host:587), or set MAIL_WORKER=false in processes that send no mail' });
    }
    if (v.NODE_ENV !== 'production') return;
    if (!v.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET is required when NODE_ENV=production (generate one: openssl rand -hex 32)' });
      return;
    }
    const weakness = secretWeakness(v.JWT_SECRET);
    if (weakness) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: `JWT_SECRET ${weakness} (generate one: openssl rand -hex 32)` });
  });

// Words of the placeholders our own files and every tutorial show; a real secret never contains them.
const PLACEHOLDER_WORDS = ['change-me', 'changeme', 'change_me', 'secret', 'example', 'placeholder', 'password', 'replace', 'your-', 'default', 'holdfast'];

/** Why a production secret is unacceptable, or null: a placeholder, or too few bits per character. */
export function secretWeakness(secret: string): string | null {
  const lower = secret.toLowerCase();
  const word = PLACEHOLDER_WORDS.find((w) => lower.includes(w));
  if (word) return `looks like a placeholder (contains "${word}")`;
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / secret.length) * Math.log2(n / secret.length);
  // Random hex has ~4 bits a character, base64 ~6; repeated or patterned text far less.
  if (bitsPerChar < 3) return 'is too predictable (repeated or patterned characters)';
  return null;
}

export type RawEnv = z.infer<typeof schema>;
/** Parsed configuration: the only place that knows about process.env. */
export type Env = RawEnv;

/** Parses a set of variables; throws with a readable message listing every bad one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Reads process.env once; prints the problem and exits on bad configuration. */
export function loadEnv(overrides: Record<string, string | undefined> = {}): Env {
  try {
    return parseEnv({ ...process.env, ...overrides });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
