import type { BookingEntry } from './ledger-ports';

/** Where one booking's money is, read from its ledger entries. */
export interface BookingPosition {
  /** Taken from the customer (captures and fee captures). */
  captured: number;
  /** Still in escrow. */
  escrowed: number;
  /** The release transaction, once there is one. */
  releaseTxnId: string | null;
  /** What the workshop's payable holds from this booking (release less refunds taken back). */
  vendorShare: number;
  /** Commission the platform holds from this booking (release less commission returned with refunds). */
  commission: number;
  /** Returned to the customer. */
  refunded: number;
  /** Transactions by cause (a retried movement finds its earlier one here). */
  causes: Map<string, string>;
}

export function positionOf(entries: BookingEntry[]): BookingPosition {
  const p: BookingPosition = { captured: 0, escrowed: 0, releaseTxnId: null, vendorShare: 0, commission: 0, refunded: 0, causes: new Map() };
  for (const e of entries) {
    p.causes.set(e.cause, e.txnId);
    if (e.txnKind === 'release') p.releaseTxnId = e.txnId;
    switch (e.account.kind) {
      case 'customer_funds':
        p.captured -= e.amount;
        break;
      case 'platform_escrow':
        p.escrowed += e.amount;
        break;
      case 'vendor_payable':
        p.vendorShare += e.amount;
        break;
      // Revenue also pays the processor's fee at capture; only release and refund entries are commission.
      case 'platform_revenue':
        if (e.txnKind === 'release' || e.txnKind === 'refund') p.commission += e.amount;
        break;
      case 'refunds':
        p.refunded += e.amount;
        break;
      default:
        break;
    }
  }
  return p;
}
