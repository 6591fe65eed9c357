/*
 * Loads Stripe.js (stripe mode only). Stripe requires the script to come from js.stripe.com and
 * never be bundled, so it is added as a <script> on first use: simulated mode never requests it.
 * The types name only the part of Stripe.js the card form uses (Elements' Card Element,
 * createPaymentMethod and handleNextAction), as documented at https://docs.stripe.com/js.
 */

export const STRIPE_JS_URL = 'https://js.stripe.com/v3';

export interface StripeError {
  type?: string;
  code?: string;
  message?: string;
}

export interface StripeCardChange {
  complete: boolean;
  empty: boolean;
  error?: StripeError;
}

export interface StripeCardElement {
  mount(target: HTMLElement): void;
  on(event: 'change', handler: (e: StripeCardChange) => void): void;
  focus(): void;
  destroy(): void;
}

export interface StripeJs {
  elements(options?: Record<string, unknown>): { create(type: 'card', options?: Record<string, unknown>): StripeCardElement };
  createPaymentMethod(data: { type: 'card'; card: StripeCardElement }): Promise<{ paymentMethod?: { id: string }; error?: StripeError }>;
  /** 3-D Secure for an intent confirmed on the server (`use_stripe_sdk`): Stripe's own dialog. */
  handleNextAction(data: { clientSecret: string }): Promise<{ paymentIntent?: { id: string; status: string }; error?: StripeError }>;
}

type StripeFactory = (publishableKey: string) => StripeJs;
type WithStripe = typeof globalThis & { Stripe?: StripeFactory };

let script: Promise<StripeFactory> | null = null;
const instances = new Map<string, StripeJs>();

function loadScript(): Promise<StripeFactory> {
  const ready = (globalThis as WithStripe).Stripe;
  if (ready) return Promise.resolve(ready);
  script ??= new Promise<StripeFactory>((resolve, reject) => {
    const tag = document.createElement('script');
    tag.src = STRIPE_JS_URL;
    tag.async = true;
    tag.onload = () => {
      const factory = (globalThis as WithStripe).Stripe;
      if (factory) resolve(factory);
      else reject(new Error('Stripe.js loaded but defined no Stripe'));
    };
    tag.onerror = () => reject(new Error('Stripe.js could not be loaded'));
    document.head.appendChild(tag);
  }).catch((err: unknown) => {
    script = null; // a later attempt (the customer retrying) may succeed
    throw err;
  });
  return script;
}

/** Stripe.js for a publishable key, the script added on the first call (one instance per key). */
export async function loadStripe(publishableKey: string): Promise<StripeJs> {
  const known = instances.get(publishableKey);
  if (known) return known;
  const stripe = (await loadScript())(publishableKey);
  instances.set(publishableKey, stripe);
  return stripe;
}
