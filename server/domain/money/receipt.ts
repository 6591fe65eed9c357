import type { BookingReceipt } from '@shared/schemas/booking';
import type { BookingPayment } from './booking-payment-ports';

/** The receipt its customer, its workshop and admins see on a booking (minor units, as stored). */
export function receiptOf(p: BookingPayment, startsAt: Date): BookingReceipt {
  return {
    mode: p.mode,
    status: p.status,
    currency: p.currency,
    priceCents: p.price,
    authorizedCents: p.authorized,
    capturedCents: p.captured,
    feeCents: p.fee,
    refundedCents: p.refunded,
    freeCancelUntil: new Date(startsAt.getTime() - p.freeCancelHours * 3600_000).toISOString(),
    lateCancelFeeCents: p.lateCancelFee,
    noShowFeeCents: p.noShowFee,
    settling: p.pending !== null,
  };
}
