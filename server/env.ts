import { randomBytes } from 'node:crypto';
import { z } from 'zod';

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
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    TOKEN_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SLOT_HORIZON_DAYS: z.coerce.number().int().min(1).max(365).default(28),
    /** Minutes between rolling the slot horizon forward; 0 turns it off (tests). */
    SLOT_ROLL_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(60),
    MAX_ACTIVE_HOLDS: z.coerce.number().int().min(1).max(100).default(3),
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
    RATE_LIMIT_LOGIN_PER_MIN: z.coerce.number().int().min(1).default(10),
    RATE_LIMIT_REGISTER_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_HOLDS_PER_MIN: z.coerce.number().int().min(1).default(60),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
    SERVE_CLIENT: bool.default(true),
  })
  .superRefine((v, ctx) => {
    if (v.NODE_ENV === 'production' && !v.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET is required when NODE_ENV=production' });
    }
  });

export type RawEnv = z.infer<typeof schema>;
/** Parsed configuration: the only place that knows about process.env. */
export type Env = Omit<RawEnv, 'JWT_SECRET'> & { JWT_SECRET: string; jwtSecretGenerated: boolean };

/** Parses a set of variables; throws with a readable message listing every bad one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const { JWT_SECRET, ...rest } = result.data;
  return {
    ...rest,
    JWT_SECRET: JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtSecretGenerated: !JWT_SECRET,
  };
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
