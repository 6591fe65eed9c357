import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock';
import type { PaymentProvider } from '../domain/payment-ports';
import type { Env } from '../env';
import { createSimulatedProvider } from './simulated-provider';
import { createStripeProvider } from './stripe-provider';

/** The adapter PAYMENT_PROVIDER names (env.ts has already refused stripe mode without its secrets). */
export function createPaymentProvider(env: Env, deps: { orm: MikroORM; clock: Clock }): PaymentProvider {
  if (env.PAYMENT_PROVIDER === 'stripe') {
    if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET) throw new Error('PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET');
    return createStripeProvider({
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      apiBase: env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined,
      clock: deps.clock,
    });
  }
  return createSimulatedProvider({ orm: deps.orm, clock: deps.clock, authorizationTtlMs: env.SIMULATED_AUTHORIZATION_TTL_HOURS * 3600_000 });
}
