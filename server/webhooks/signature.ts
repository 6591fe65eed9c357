import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Webhook signatures, Stripe-style: `Holdfast-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" with the endpoint's secret>`. The timestamp inside the signed text lets a
 * receiver refuse old replays; comparing in constant time keeps the secret from leaking through
 * timing. `verifyWebhookSignature` is what a receiver runs (docs/webhooks.md has it standalone).
 */

export const SIGNATURE_HEADER = 'holdfast-signature';
export const EVENT_ID_HEADER = 'holdfast-webhook-id';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** True when `header` signs `body` with `secret` and its timestamp is within `toleranceSec` of `nowSec`. */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined, nowSec: number, toleranceSec = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec || !parts.v1) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
