import type { PaymentMode } from '@shared/schemas/money-policy';
import type {
  BookingPayment, BookingPaymentStatus, BookingPaymentStore, PaymentAttempt, PendingPaymentAction,
} from '../domain/money/booking-payment-ports';
import type { PaymentProviderName } from '../domain/payment-ports';
import { stmt, type SqlPool } from './pg-pool';

/*
 * Booking payments (Migration20261201090000) in plain SQL on the pg pool. The row itself is
 * inserted by the confirm's transaction (booking-confirm.ts, PAYMENT); everything after that is
 * here. Every change is one statement guarded by the row's status, so two processes acting on
 * the same booking cannot both win.
 */

const COLUMNS = `booking_id, mode, provider, payment_id, currency, price_minor::text, authorized_minor::text, captured_minor::text,
  fee_minor::text, refunded_minor::text, commission_bps, late_cancel_fee_minor::text, no_show_fee_minor::text, free_cancel_hours, free_cancel_until,
  status, authorization_expires_at, pending_action, pending_amount::text, pending_event_id, attempts, last_error, next_attempt_at,
  completed_at, ended_at, fee_owed_minor::text, released_at, created_at, updated_at`;

const findOne = stmt('bp_find', `select ${COLUMNS} from booking_payment where booking_id = $1`);

const scheduleOne = stmt('bp_schedule', `
  update booking_payment set pending_action = $2, pending_amount = $3, pending_event_id = $4, attempts = 0, last_error = null,
         next_attempt_at = $5, updated_at = now()
   where booking_id = $1 and status = 'authorized' and pending_action is null
  returning 1`);

// Guarded by the call being settled: a second process settling the same call late must not clear the next one.
const settleOne = stmt('bp_settle', `
  update booking_payment set status = $2, captured_minor = coalesce($3, captured_minor), fee_minor = coalesce($4, fee_minor),
         pending_action = null, pending_amount = null, last_error = null, next_attempt_at = null, updated_at = now()
   where booking_id = $1 and pending_action = $5`);

// Once: the row's pending refund is cleared by the same statement that counts it.
const settleRefundOne = stmt('bp_settle_refund', `
  update booking_payment set refunded_minor = refunded_minor + $2,
         status = case when refunded_minor + $2 >= captured_minor then 'refunded' else status end,
         pending_action = null, pending_amount = null, last_error = null, next_attempt_at = null, updated_at = now()
   where booking_id = $1 and pending_action = 'refund' and refunded_minor + $2 <= captured_minor`);

const failOne = stmt('bp_failed', `
  update booking_payment set attempts = attempts + 1, last_error = $3, next_attempt_at = $4, updated_at = now()
   where booking_id = $1 and pending_action = $2`);

// An ended booking keeps at most the fee it owes; what it holds above that (an early capture) goes back.
const OWES_REFUND = `status = 'captured' and pending_action is null and released_at is null and fee_owed_minor is not null
     and captured_minor - refunded_minor > least(fee_owed_minor, captured_minor)`;

const scheduleRefund = stmt('bp_schedule_refund', `
  update booking_payment set pending_action = 'refund', pending_amount = captured_minor - refunded_minor - least(fee_owed_minor, captured_minor),
         fee_minor = least(fee_owed_minor, captured_minor), pending_event_id = null, attempts = 0, last_error = null,
         next_attempt_at = $2, updated_at = now()
   where booking_id = $1 and ${OWES_REFUND}
  returning 1`);

const owedRefunds = stmt('bp_owed_refunds', `select booking_id from booking_payment where ${OWES_REFUND} order by updated_at limit $1`);

const duePending = stmt('bp_due', `
  select booking_id from booking_payment where pending_action is not null and next_attempt_at <= $1
   order by next_attempt_at limit $2`);

const lapsing = stmt('bp_lapsing', `
  select p.booking_id from booking_payment p join booking b on b.id = p.booking_id
   where p.status = 'authorized' and p.pending_action is null and p.authorization_expires_at < $1
     and b.status in ('pending', 'accepted', 'in_progress')
   order by p.authorization_expires_at limit $2`);

// A completion releases what escrow holds; a booking that ended otherwise only once all it holds is
// the fee it owes (anything above is a refund still to make).
const unreleased = stmt('bp_unreleased', `
  select ${COLUMNS.split(',').map((c) => `p.${c.trim()}`).join(', ')}, b.workshop_id
    from booking_payment p join booking b on b.id = p.booking_id
   where p.captured_minor > p.refunded_minor and p.released_at is null and p.pending_action is null and p.ended_at <= $1
     and (b.status = 'completed' or p.captured_minor - p.refunded_minor <= coalesce(p.fee_owed_minor, 0))
   order by p.ended_at limit $2`);

const released = stmt('bp_released', `update booking_payment set released_at = $2, updated_at = now() where booking_id = $1 and released_at is null`);

const refunded = stmt('bp_refunded', `
  update booking_payment set refunded_minor = refunded_minor + $2,
         status = case when refunded_minor + $2 >= captured_minor then 'refunded' else status end, updated_at = now()
   where booking_id = $1 and refunded_minor + $2 <= captured_minor
  returning 1`);

const insertAttempt = stmt('bp_attempt_insert', `
  with ins as (
    insert into payment_attempt (idempotency_key, hold_id, customer_id, provider, payment_method, amount, currency, created_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (idempotency_key) do nothing
    returning idempotency_key, hold_id, customer_id, provider, payment_method, amount::text, currency, payment_id, created_at)
  select * from ins
  union all
  select idempotency_key, hold_id, customer_id, provider, payment_method, amount::text, currency, payment_id, created_at
    from payment_attempt where idempotency_key = $1 and not exists (select 1 from ins)`);
const attemptAuthorized = stmt('bp_attempt_authorized', `update payment_attempt set payment_id = $2 where idempotency_key = $1`);
const dropAttempt = stmt('bp_attempt_drop', `delete from payment_attempt where idempotency_key = $1`);
const takeAttempt = stmt('bp_attempt_take', `delete from payment_attempt where idempotency_key = $1 returning 1`);
const restoreAttempt = stmt('bp_attempt_restore', `
  insert into payment_attempt (idempotency_key, hold_id, customer_id, provider, payment_method, amount, currency, payment_id, created_at)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (idempotency_key) do nothing`);
const staleAttempts = stmt('bp_attempt_stale', `
  select idempotency_key, hold_id, customer_id, provider, payment_method, amount::text, currency, payment_id, created_at
    from payment_attempt where created_at < $1 order by created_at limit $2`);

interface Row {
  booking_id: string; mode: PaymentMode; provider: PaymentProviderName | null; payment_id: string | null; currency: string;
  price_minor: string; authorized_minor: string; captured_minor: string; fee_minor: string; refunded_minor: string;
  commission_bps: number; late_cancel_fee_minor: string; no_show_fee_minor: string; free_cancel_hours: number; free_cancel_until: Date;
  status: BookingPaymentStatus; authorization_expires_at: Date | null; pending_action: PendingPaymentAction | null;
  pending_amount: string | null; pending_event_id: string | null; attempts: number; last_error: string | null;
  next_attempt_at: Date | null; completed_at: Date | null; ended_at: Date | null; fee_owed_minor: string | null;
  released_at: Date | null; created_at: Date; updated_at: Date;
}

interface AttemptRow {
  idempotency_key: string; hold_id: string; customer_id: string; provider: PaymentProviderName; payment_method: string;
  amount: string; currency: string; payment_id: string | null; created_at: Date;
}

const minor = (s: string) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${s} is beyond safe integers`);
  return n;
};

export const bookingPaymentFromRow = (r: Row): BookingPayment => ({
  bookingId: r.booking_id,
  mode: r.mode,
  provider: r.provider,
  paymentId: r.payment_id,
  currency: r.currency,
  price: minor(r.price_minor),
  authorized: minor(r.authorized_minor),
  captured: minor(r.captured_minor),
  fee: minor(r.fee_minor),
  refunded: minor(r.refunded_minor),
  commissionBps: r.commission_bps,
  lateCancelFee: minor(r.late_cancel_fee_minor),
  noShowFee: minor(r.no_show_fee_minor),
  freeCancelHours: r.free_cancel_hours,
  freeCancelUntil: r.free_cancel_until,
  status: r.status,
  authorizationExpiresAt: r.authorization_expires_at,
  pending: r.pending_action
    ? { action: r.pending_action, amount: r.pending_amount === null ? null : minor(r.pending_amount), eventId: r.pending_event_id, attempts: r.attempts, lastError: r.last_error, nextAttemptAt: r.next_attempt_at }
    : null,
  completedAt: r.completed_at,
  endedAt: r.ended_at,
  feeOwed: r.fee_owed_minor === null ? null : minor(r.fee_owed_minor),
  releasedAt: r.released_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const attemptFromRow = (r: AttemptRow): PaymentAttempt => ({
  idempotencyKey: r.idempotency_key,
  holdId: r.hold_id,
  customerId: r.customer_id,
  provider: r.provider,
  paymentMethod: r.payment_method,
  amount: minor(r.amount),
  currency: r.currency,
  paymentId: r.payment_id,
  createdAt: r.created_at,
});

export function createBookingPaymentRepository(sql: SqlPool): BookingPaymentStore {
  return {
    async findBookingPayment(bookingId) {
      const [r] = await sql.rows<Row>(findOne, [bookingId]);
      return r ? bookingPaymentFromRow(r) : null;
    },
    async schedule(bookingId, action, amount, eventId, at) {
      return (await sql.rows(scheduleOne, [bookingId, action, amount, eventId, at])).length > 0;
    },
    async settle(bookingId, action, s) {
      await sql.rows(settleOne, [bookingId, s.status, s.captured ?? null, s.fee ?? null, action]);
    },
    async settleRefund(bookingId, amount) {
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('a refund is a positive integer of minor units');
      await sql.rows(settleRefundOne, [bookingId, amount]);
    },
    async failed(bookingId, action, error, retryAt) {
      await sql.rows(failOne, [bookingId, action, error.slice(0, 500), retryAt]);
    },
    async scheduleOwedRefund(bookingId, at) {
      return (await sql.rows(scheduleRefund, [bookingId, at])).length > 0;
    },
    async owedRefunds(limit) {
      return (await sql.rows<{ booking_id: string }>(owedRefunds, [limit])).map((r) => r.booking_id);
    },
    async duePending(now, limit) {
      return (await sql.rows<{ booking_id: string }>(duePending, [now, limit])).map((r) => r.booking_id);
    },
    async lapsingAuthorizations(before, limit) {
      return (await sql.rows<{ booking_id: string }>(lapsing, [before, limit])).map((r) => r.booking_id);
    },
    async unreleased(endedBefore, limit) {
      const rows = await sql.rows<Row & { workshop_id: string }>(unreleased, [endedBefore, limit]);
      return rows.map((r) => ({ payment: bookingPaymentFromRow(r), workshopId: r.workshop_id, endedAt: r.ended_at! }));
    },
    async markReleased(bookingId, at) {
      await sql.rows(released, [bookingId, at]);
    },
    async recordRefund(bookingId, amount) {
      if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('a refund is a positive integer of minor units');
      const ok = await sql.rows(refunded, [bookingId, amount]);
      if (!ok.length) throw new RangeError(`booking ${bookingId}: a refund of ${amount} exceeds what was captured and not yet refunded`);
    },
    async recordAttempt(a) {
      const [r] = await sql.rows<AttemptRow>(insertAttempt, [a.idempotencyKey, a.holdId, a.customerId, a.provider, a.paymentMethod, a.amount, a.currency, a.createdAt]);
      return attemptFromRow(r!);
    },
    async attemptAuthorized(key, paymentId) {
      await sql.rows(attemptAuthorized, [key, paymentId]);
    },
    async dropAttempt(key) {
      await sql.rows(dropAttempt, [key]);
    },
    async takeAttempt(key) {
      return (await sql.rows(takeAttempt, [key])).length > 0;
    },
    async restoreAttempt(a) {
      await sql.rows(restoreAttempt, [a.idempotencyKey, a.holdId, a.customerId, a.provider, a.paymentMethod, a.amount, a.currency, a.paymentId, a.createdAt]);
    },
    async staleAttempts(before, limit) {
      return (await sql.rows<AttemptRow>(staleAttempts, [before, limit])).map(attemptFromRow);
    },
  };
}
