import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock';
import { bookingPaymentKey } from '../payment-keys';
import { fakePaymentProvider } from './fake-payments';

// The fake's own steering (its contract is checked beside the adapters in server/test/payment-provider-contract.test.ts).
describe('fake payment provider', () => {
  const input = { idempotencyKey: bookingPaymentKey('b1', 'authorize'), amount: 2000, currency: 'gbp', customerId: 'c1', paymentMethod: 'pm_card_visa' };

  it('fails the next call of a method as scripted, keeps nothing for a retryable failure, and lists every call', async () => {
    const fake = fakePaymentProvider(manualClock(Date.UTC(2030, 0, 1)));
    fake.failNext('authorize', 'provider_unavailable');
    await expect(fake.authorize(input)).rejects.toMatchObject({ failure: 'provider_unavailable', retryable: true });
    const a = await fake.authorize(input);
    expect(a).toMatchObject({ status: 'authorized', replayed: false });
    expect(fake.calls.map((c) => [c.method, c.idempotencyKey])).toEqual([['authorize', input.idempotencyKey], ['authorize', input.idempotencyKey]]);
    expect(fake.payments.get(a.paymentId)).toMatchObject({ status: 'authorized', amount: 2000 });
  });

  it('keeps a scripted final refusal for its key, like a real provider', async () => {
    const fake = fakePaymentProvider(manualClock(Date.UTC(2030, 0, 1)));
    fake.failNext('authorize', 'declined', { declineCode: 'do_not_honor' });
    await expect(fake.authorize(input)).rejects.toMatchObject({ failure: 'declined', declineCode: 'do_not_honor' });
    await expect(fake.authorize(input)).rejects.toMatchObject({ failure: 'declined', declineCode: 'do_not_honor' });
    expect(fake.payments.size).toBe(0);
  });
});
