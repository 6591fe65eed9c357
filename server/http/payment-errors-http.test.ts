import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { paymentError } from '../domain/payment-errors';
import type { AppEnv } from './context';
import { onError } from './on-error';

/** A payment failure a route does not catch reaches the client as a clear answer through the central mapping. */
describe('payment errors over HTTP', () => {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.post('/declined', () => {
    throw paymentError('declined', 'Your card was declined.', { declineCode: 'generic_decline' });
  });
  app.post('/throttled', () => {
    throw paymentError('rate_limited', 'Too many requests', { retryAfterSec: 7 });
  });
  app.post('/lapsed', () => {
    throw paymentError('authorization_expired', 'The authorization has expired');
  });

  it('answers a decline 402 PAYMENT_DECLINED with its decline code', async () => {
    const res = await app.request('/declined', { method: 'POST' });
    expect(res.status).toBe(402);
    expect(await res.json()).toEqual({ error: { code: 'PAYMENT_DECLINED', message: 'Your card was declined.', details: { failure: 'declined', declineCode: 'generic_decline' } } });
  });

  it('answers a throttled provider 503 PAYMENT_PROVIDER_UNAVAILABLE with Retry-After', async () => {
    const res = await app.request('/throttled', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await res.json()).error).toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE', details: { failure: 'rate_limited', retryAfterSec: 7 } });
  });

  it('answers a lapsed authorization 409 PAYMENT_AUTHORIZATION_EXPIRED, with no Retry-After', async () => {
    const res = await app.request('/lapsed', { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBeNull();
    expect((await res.json()).error.code).toBe('PAYMENT_AUTHORIZATION_EXPIRED');
  });
});
