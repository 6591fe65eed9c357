import { randomBytes } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock';
import { PaymentError, paymentError, type PaymentErrorData } from '../domain/payment-errors';
import type {
  AccountStatus, Authorization, Capture, ConnectedAccount, PaymentProvider, PaymentRecord, Refund, Transfer, Void,
} from '../domain/payment-ports';
import { checkMoney } from './money-input';
import { stableHash } from './stable-hash';
import { testCard } from '@shared/payment-test-cards';

export interface SimulatedProviderDeps {
  orm: MikroORM;
  clock: Clock;
  /** How long an authorization can be captured (card networks: about 7 days). */
  authorizationTtlMs: number;
}

type Stored<T> = { ok: Omit<T, 'replayed'> } | { error: PaymentErrorData };

interface PaymentRow {
  id: string;
  status: string;
  amount: number;
  currency: string;
  captured: number;
  refunded: number;
  /** Epoch ms (float8: the ORM's raw rows carry timestamps as text). */
  expires_ms: number | null;
}

const newId = (prefix: string) => `${prefix}_sim_${randomBytes(12).toString('hex')}`;

/** What authorize stores for its key: an authorization, or a payment waiting for the customer's 3-D Secure check. */
type AuthorizeAnswer = Authorization | { status: 'requires_action'; paymentId: string; clientSecret: string; amount: number; currency: string; replayed: boolean };

/** Every simulated account is usable the moment it exists (`instant` onboarding). */
const enabled = (accountId: string): AccountStatus => ({ accountId, detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true });

/**
 * A card processor in test mode, kept in Postgres (tables `simulated_payment` and
 * `simulated_payment_request`) so several server processes and restarts share it. Test cards
 * (shared/payment-test-cards.ts) decide each authorization's outcome; an authorization lapses `authorizationTtlMs`
 * after it was made, by the injected clock. Idempotent per key as Stripe is: the first call's
 * answer (a result or a final refusal) is stored with the key in the same transaction as its
 * effect, the same key with the same parameters gets it back (`replayed: true`), with other
 * parameters it is refused (`idempotency_conflict`); a retryable failure stores nothing. Two calls
 * with one key at once: the second waits for the first's transaction, then replays its answer.
 * It sends no webhooks (every answer is synchronous), so `parseWebhook` refuses everything.
 *
 * 3-D Secure: the test card 4000 0027 6000 3184 leaves the payment `requires_action` and answers
 * `requires_action` with a client secret; `completeTestAuthentication` (the card form's simulated
 * bank check) authorizes it or fails it, and the same authorize call (same key) then answers the
 * authorization (or the decline) from the payment's state: one payment, never two.
 */
export function createSimulatedProvider(deps: SimulatedProviderDeps): PaymentProvider {
  const { clock } = deps;
  const now = () => new Date(clock.now());

  /** Runs `act` once per idempotency key, in one transaction with the key's row; see above. */
  async function once<T extends { replayed: boolean }>(operation: string, input: { idempotencyKey: string }, act: (t: EntityManager) => Promise<Omit<T, 'replayed'>>): Promise<T> {
    const { idempotencyKey, ...params } = input;
    if (!idempotencyKey || idempotencyKey.length > 255) throw new Error('an idempotency key of 1 to 255 characters is required');
    const hash = stableHash({ operation, params });
    const stored = await deps.orm.em.fork().transactional(async (t): Promise<Stored<T> & { replayed: boolean }> => {
      // Waits while another transaction holds the same key, then sees its committed row.
      const fresh = await t.execute<Array<{ k: string }>>(
        `insert into simulated_payment_request (idempotency_key, operation, params_hash, response, created_at) values (?, ?, ?, null, ?)
         on conflict (idempotency_key) do nothing returning idempotency_key as k`,
        [idempotencyKey, operation, hash, now()],
      );
      if (!fresh.length) {
        const [row] = await t.execute<Array<{ params_hash: string; response: Stored<T> }>>('select params_hash, response from simulated_payment_request where idempotency_key = ?', [idempotencyKey]);
        if (!row || row.params_hash !== hash) {
          throw paymentError('idempotency_conflict', `Idempotency key "${idempotencyKey}" was already used for a different request`);
        }
        return { ...row.response, replayed: true };
      }
      let answer: Stored<T>;
      try {
        answer = { ok: await act(t) };
      } catch (err) {
        // A final refusal is an answer too (replayed like a result); anything else rolls back, key included.
        if (!(err instanceof PaymentError) || err.retryable) throw err;
        answer = { error: err.toData() };
      }
      await t.execute('update simulated_payment_request set response = ? where idempotency_key = ?', [JSON.stringify(answer), idempotencyKey]);
      return { ...answer, replayed: false };
    });
    if ('error' in stored) throw new PaymentError(stored.error);
    return { ...stored.ok, replayed: stored.replayed } as T;
  }

  async function lockPayment(t: EntityManager, paymentId: string): Promise<PaymentRow> {
    const [row] = await t.execute<PaymentRow[]>(
      `select id, status, amount, currency, captured, refunded, round(extract(epoch from expires_at) * 1000)::float8 as expires_ms from simulated_payment where id = ? and kind = 'payment' for update`,
      [paymentId],
    );
    if (!row) throw paymentError('not_found', `No payment ${paymentId}`);
    return row;
  }

  /** An authorization past its time lapses when next touched (as a card network's hold does). */
  async function lapseIfDue(t: EntityManager, p: PaymentRow): Promise<PaymentRow> {
    if (p.status !== 'authorized' || p.expires_ms === null || clock.now() < p.expires_ms) return p;
    await t.execute(`update simulated_payment set status = 'expired' where id = ?`, [p.id]);
    return { ...p, status: 'expired' };
  }

  const expired = (id: string) => paymentError('authorization_expired', `The authorization of payment ${id} has expired`);

  return {
    name: 'simulated',

    async authorize(input) {
      const answer = await once<AuthorizeAnswer>('authorize', input, async (t) => {
        checkMoney(input.amount, input.currency);
        const card = testCard(input.paymentMethod);
        if (!card) throw paymentError('declined', 'Your card was declined: the simulated processor only takes test cards', { declineCode: 'test_mode_live_card' });
        const outcome = card.outcome;
        if (outcome.kind === 'processor_outage') throw paymentError('provider_unavailable', 'An error occurred while processing the card: try again later');
        if (outcome.kind === 'insufficient_funds') throw paymentError('insufficient_funds', 'Your card has insufficient funds', { declineCode: 'insufficient_funds' });
        if (outcome.kind === 'declined') throw paymentError('declined', 'Your card was declined', { declineCode: outcome.declineCode });
        const paymentId = newId('pi');
        const waits = outcome.kind === 'requires_action';
        const clientSecret = `${paymentId}_secret_${randomBytes(12).toString('hex')}`;
        const expiresAt = clock.now() + deps.authorizationTtlMs;
        await t.execute(
          `insert into simulated_payment (id, kind, status, amount, currency, expires_at, data, created_at) values (?, 'payment', ?, ?, ?, ?, ?, ?)`,
          [paymentId, waits ? 'requires_action' : 'authorized', input.amount, input.currency, waits ? null : new Date(expiresAt), JSON.stringify({
            customerId: input.customerId, brand: card.brand, last4: card.number.slice(-4), description: input.description ?? null, metadata: input.metadata ?? {}, ...(waits ? { clientSecret } : {}),
          }), now()],
        );
        if (waits) return { status: 'requires_action', paymentId, clientSecret, amount: input.amount, currency: input.currency };
        return { paymentId, amount: input.amount, currency: input.currency, status: 'authorized', expiresAt };
      });
      if (answer.status === 'authorized') return answer;
      // The stored answer is the 3-D Secure request: what the payment became since decides.
      const [p] = await deps.orm.em.fork().getConnection().execute<Array<{ status: string; expires_ms: number | null }>>(
        `select status, round(extract(epoch from expires_at) * 1000)::float8 as expires_ms from simulated_payment where id = ?`, [answer.paymentId],
      );
      if (p?.status === 'requires_action') {
        throw paymentError('requires_action', 'Your bank asks you to confirm this payment (3-D Secure)', { paymentId: answer.paymentId, clientSecret: answer.clientSecret });
      }
      if (p && p.status !== 'failed' && p.expires_ms !== null) {
        return { paymentId: answer.paymentId, amount: answer.amount, currency: answer.currency, status: 'authorized', expiresAt: Number(p.expires_ms), replayed: true };
      }
      throw paymentError('declined', 'The payment was not authorized: the bank check failed', { declineCode: 'authentication_failed' });
    },

    capture: (input) => once<Capture>('capture', input, async (t) => {
      const p = await lapseIfDue(t, await lockPayment(t, input.paymentId));
      if (p.status === 'expired') throw expired(p.id);
      if (p.status !== 'authorized') throw paymentError('invalid_state', `Payment ${p.id} is ${p.status}: only an authorized payment can be captured`);
      const amount = input.amount ?? p.amount;
      if (!Number.isInteger(amount) || amount <= 0 || amount > p.amount) throw paymentError('invalid_state', `Cannot capture ${amount}: ${p.amount} is authorized`);
      await t.execute(`update simulated_payment set status = 'captured', captured = ? where id = ?`, [amount, p.id]);
      return { paymentId: p.id, amountCaptured: amount, currency: p.currency, status: 'captured' };
    }),

    void: (input) => once<Void>('void', input, async (t) => {
      const p = await lapseIfDue(t, await lockPayment(t, input.paymentId));
      if (p.status === 'expired') throw expired(p.id);
      if (p.status !== 'authorized' && p.status !== 'requires_action') throw paymentError('invalid_state', `Payment ${p.id} is ${p.status}: only an authorized payment can be voided`);
      await t.execute(`update simulated_payment set status = 'voided' where id = ?`, [p.id]);
      return { paymentId: p.id, status: 'voided' };
    }),

    refund: (input) => once<Refund>('refund', input, async (t) => {
      const p = await lockPayment(t, input.paymentId);
      if (p.status !== 'captured') throw paymentError('invalid_state', `Payment ${p.id} is ${p.status}: only a captured payment can be refunded`);
      const left = p.captured - p.refunded;
      const amount = input.amount ?? left;
      if (left === 0) throw paymentError('invalid_state', `Payment ${p.id} is already fully refunded`);
      if (!Number.isInteger(amount) || amount <= 0 || amount > left) throw paymentError('invalid_state', `Cannot refund ${amount}: ${left} is left to refund`);
      const refundId = newId('re');
      await t.execute('update simulated_payment set refunded = refunded + ? where id = ?', [amount, p.id]);
      await t.execute(`insert into simulated_payment (id, kind, status, amount, currency, parent_id, created_at) values (?, 'refund', 'succeeded', ?, ?, ?, ?)`, [refundId, amount, p.currency, p.id, now()]);
      return { refundId, paymentId: p.id, amount, currency: p.currency, status: 'succeeded' };
    }),

    onboarding: 'instant',

    createConnectedAccount: (input) => once<ConnectedAccount>('account', input, async (t) => {
      const accountId = newId('acct');
      await t.execute(`insert into simulated_payment (id, kind, status, amount, data, created_at) values (?, 'account', 'enabled', 0, ?, ?)`, [
        accountId, JSON.stringify({ workshopId: input.workshopId, country: input.country, email: input.email ?? null }), now(),
      ]);
      return enabled(accountId);
    }),

    // Nothing to fill in: the owner goes straight back to the desk.
    async accountLink(input) {
      return { url: input.returnUrl, expiresAt: clock.now() + 300_000 };
    },

    async retrieveAccount(accountId) {
      const [a] = await deps.orm.em.fork().getConnection().execute<Array<{ id: string }>>(`select id from simulated_payment where id = ? and kind = 'account'`, [accountId]);
      if (!a) throw paymentError('not_found', `No connected account ${accountId}`);
      return enabled(accountId);
    },

    async paymentRecords(paymentIds) {
      const rows = paymentIds.length
        ? await deps.orm.em.fork().getConnection().execute<Array<{ id: string; currency: string; captured: number; refunded: number }>>(
          `select id, currency, captured, refunded from simulated_payment where kind = 'payment' and id in (?)`, [paymentIds],
        )
        : [];
      const found = new Map(rows.map((r): [string, PaymentRecord] => [r.id, { paymentId: r.id, currency: r.currency, captured: Number(r.captured), refunded: Number(r.refunded) }]));
      return new Map(paymentIds.map((id) => [id, found.get(id) ?? null]));
    },

    async completeTestAuthentication({ clientSecret, customerId, approve }) {
      const paymentId = /^(pi_sim_[0-9a-f]+)_secret_[0-9a-f]+$/.exec(clientSecret)?.[1];
      if (!paymentId) throw paymentError('not_found', 'No payment waits for this authentication');
      await deps.orm.em.fork().transactional(async (t) => {
        const [p] = await t.execute<Array<{ status: string; data: { clientSecret?: string; customerId?: string } }>>(
          `select status, data from simulated_payment where id = ? and kind = 'payment' for update`, [paymentId],
        );
        // Someone else's payment, or a wrong secret: as if there were none.
        if (!p || p.data.clientSecret !== clientSecret || p.data.customerId !== customerId) throw paymentError('not_found', 'No payment waits for this authentication');
        if (p.status !== 'requires_action') throw paymentError('invalid_state', `Payment ${paymentId} is ${p.status}: it does not wait for an authentication`);
        if (approve) await t.execute(`update simulated_payment set status = 'authorized', expires_at = ? where id = ?`, [new Date(clock.now() + deps.authorizationTtlMs), paymentId]);
        else await t.execute(`update simulated_payment set status = 'failed' where id = ?`, [paymentId]);
      });
    },

    transfer: (input) => once<Transfer>('transfer', input, async (t) => {
      checkMoney(input.amount, input.currency);
      const [account] = await t.execute<Array<{ id: string }>>(`select id from simulated_payment where id = ? and kind = 'account'`, [input.accountId]);
      if (!account) throw paymentError('not_found', `No connected account ${input.accountId}`);
      const transferId = newId('tr');
      await t.execute(`insert into simulated_payment (id, kind, status, amount, currency, parent_id, data, created_at) values (?, 'transfer', 'paid', ?, ?, ?, ?, ?)`, [
        transferId, input.amount, input.currency, input.accountId, JSON.stringify({ transferGroup: input.transferGroup ?? null, metadata: input.metadata ?? {} }), now(),
      ]);
      return { transferId, accountId: input.accountId, amount: input.amount, currency: input.currency };
    }),

    async parseWebhook() {
      throw paymentError('invalid_signature', 'The simulated processor sends no webhooks');
    },
  };
}
