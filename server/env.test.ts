import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

// The secret docker-compose.yml used to fall back to: anyone who read the file could mint an admin token.
const OLD_COMPOSE_DEFAULT = 'change-me-in-production-0123456789abcdef';
const prod = (secret?: string) => parseEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1025', JWT_SECRET: secret });

describe('JWT_SECRET in production', () => {
  it('is required', () => {
    expect(() => prod()).toThrow(/JWT_SECRET is required when NODE_ENV=production/);
  });

  it.each([
    ['the old docker-compose default', OLD_COMPOSE_DEFAULT],
    ['a "changeme" placeholder', `changeme${randomBytes(24).toString('hex')}`],
    ['a "secret" placeholder', `my-jwt-secret-${randomBytes(24).toString('hex')}`],
    ['an "example" placeholder', `example-${randomBytes(24).toString('hex')}`],
    ['the test suite\'s secret', 'test-secret-test-secret-test-secret-0123'],
  ])('refuses %s', (_, secret) => {
    expect(() => prod(secret)).toThrow(/JWT_SECRET looks like a placeholder/);
  });

  it.each([
    ['one repeated character', 'a'.repeat(64)],
    ['a short repeated pattern', 'abcd'.repeat(16)],
    ['a binary-looking string', '0110100101101001011010010110100101101001'],
  ])('refuses %s as too predictable', (_, secret) => {
    expect(() => prod(secret)).toThrow(/JWT_SECRET is too predictable/);
  });

  it('needs SMTP_URL in production unless the process sends no mail', () => {
    const secret = randomBytes(32).toString('hex');
    expect(() => parseEnv({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(/SMTP_URL is required when NODE_ENV=production/);
    expect(parseEnv({ NODE_ENV: 'production', JWT_SECRET: secret, MAIL_WORKER: 'false' }).SMTP_URL).toBeUndefined();
    expect(() => parseEnv({ SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL/);
  });

  it('refuses one shorter than 32 characters', () => {
    expect(() => prod(randomBytes(15).toString('hex'))).toThrow(/at least 32 characters/);
  });

  it('accepts what the README says to generate (openssl rand -hex 32 / -base64 32)', () => {
    expect(prod(randomBytes(32).toString('hex')).JWT_SECRET).toHaveLength(64);
    expect(prod(randomBytes(32).toString('base64')).JWT_SECRET).toHaveLength(44);
  });

  it('outside production may be unset (the processes share one stored in the database)', () => {
    expect(parseEnv({ NODE_ENV: 'development' }).JWT_SECRET).toBeUndefined();
    expect(parseEnv({ NODE_ENV: 'development', JWT_SECRET: OLD_COMPOSE_DEFAULT }).JWT_SECRET).toBe(OLD_COMPOSE_DEFAULT);
  });
});

describe('TRUST_PROXY', () => {
  it('is off unless set', () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(false);
    expect(parseEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
  });
});

describe('processes and Redis Cluster', () => {
  it('runs one worker per core unless WEB_CONCURRENCY says otherwise, and refuses 0 or a word', () => {
    expect(parseEnv({}).WEB_CONCURRENCY).toBeGreaterThanOrEqual(1);
    expect(parseEnv({ WEB_CONCURRENCY: '3' }).WEB_CONCURRENCY).toBe(3);
    expect(() => parseEnv({ WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY/);
    expect(() => parseEnv({ WEB_CONCURRENCY: 'many' })).toThrow(/WEB_CONCURRENCY/);
  });

  it('does all background work unless BACKGROUND_WORK narrows it, and refuses an unknown value', () => {
    expect(parseEnv({}).BACKGROUND_WORK).toBe('all');
    expect(parseEnv({ BACKGROUND_WORK: 'holds' }).BACKGROUND_WORK).toBe('holds');
    expect(() => parseEnv({ BACKGROUND_WORK: 'some' })).toThrow(/BACKGROUND_WORK/);
  });

  it('refuses long-polling with several workers (it would need sticky sessions)', () => {
    expect(() => parseEnv({ WEB_CONCURRENCY: '2', SOCKET_LONG_POLLING: 'true' })).toThrow(/SOCKET_LONG_POLLING=true needs sticky sessions/);
    expect(parseEnv({ WEB_CONCURRENCY: '1', SOCKET_LONG_POLLING: 'true' }).SOCKET_LONG_POLLING).toBe(true);
    expect(parseEnv({ WEB_CONCURRENCY: '2' }).SOCKET_LONG_POLLING).toBe(false);
  });

  it('reads REDIS_CLUSTER_NODES as host:port pairs and names a bad one', () => {
    expect(parseEnv({ REDIS_CLUSTER_NODES: 'r1:7000, 10.0.0.2:7001,[::1]:7002' }).REDIS_CLUSTER_NODES).toEqual([
      { host: 'r1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(parseEnv({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: 'r1:7000,r2' })).toThrow(/REDIS_CLUSTER_NODES: "r2" is not host:port/);
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: 'r1:99999' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: ' , ' })).toThrow(/REDIS_CLUSTER_NODES: name at least one/);
  });
});

describe('payment provider', () => {
  it('is the simulated processor unless told otherwise', () => {
    const env = parseEnv({});
    expect(env.PAYMENT_PROVIDER).toBe('simulated');
    expect(env.SIMULATED_AUTHORIZATION_TTL_HOURS).toBe(168);
  });

  it('refuses stripe mode without a secret key, a publishable key or a webhook secret, naming each', () => {
    expect(() => parseEnv({ PAYMENT_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY: PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY[\s\S]*STRIPE_PUBLISHABLE_KEY: PAYMENT_PROVIDER=stripe needs[\s\S]*STRIPE_WEBHOOK_SECRET: PAYMENT_PROVIDER=stripe needs/);
    expect(() => parseEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => parseEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/STRIPE_PUBLISHABLE_KEY: PAYMENT_PROVIDER=stripe needs/);
  });

  it('refuses a publishable key of the wrong shape, or of the other mode than the secret key', () => {
    const base = { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
    expect(() => parseEnv({ ...base, STRIPE_PUBLISHABLE_KEY: 'sk_test_abc' })).toThrow(/STRIPE_PUBLISHABLE_KEY must look like pk_test_/);
    expect(() => parseEnv({ ...base, STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' })).toThrow(/must both be test keys or both live keys/);
    expect(parseEnv({ ...base, STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' }).STRIPE_PUBLISHABLE_KEY).toBe('pk_test_abc');
    // Simulated mode needs none and ignores one given.
    expect(parseEnv({}).STRIPE_PUBLISHABLE_KEY).toBeUndefined();
  });

  it('takes stripe mode with both secrets, and refuses a key of the wrong shape', () => {
    const env = parseEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_abc' });
    expect(env.PAYMENT_PROVIDER).toBe('stripe');
    expect(() => parseEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/STRIPE_SECRET_KEY must look like sk_test_/);
  });

  it('refuses a Stripe API base other than Stripe\'s in production', () => {
    const secrets = { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_PUBLISHABLE_KEY: 'pk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_API_BASE: 'http://127.0.0.1:12111' };
    expect(parseEnv(secrets).STRIPE_API_BASE).toBe('http://127.0.0.1:12111');
    expect(() => parseEnv({ ...secrets, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1025', JWT_SECRET: randomBytes(32).toString('hex') })).toThrow(/STRIPE_API_BASE .*not allowed when NODE_ENV=production/);
  });
});
