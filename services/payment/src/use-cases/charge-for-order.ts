import { decideCharge } from '../domain/ledger';
import type { LedgerStore } from '../store/ledger-store';

/** An order to pay; `cause` is the id of the event that asked, recorded with the entry, and the outcome continues its trace. */
export interface OrderToCharge {
  orderId: string;
  customerId: string;
  total: number;
  cause: string;
  traceparent: string | undefined;
}

/**
 * Charges the order's total to the customer's ledger if the balance covers it, or declines
 * it; once per order, and never after the order was cancelled (domain `decideCharge`). The
 * entry carries the outbox mark: the relay publishes payment.succeeded or payment.failed.
 */
export function chargeForOrder(ledger: LedgerStore, { orderId, customerId, total, cause, traceparent }: OrderToCharge): Promise<void> {
  return ledger.settle(customerId, (account) => decideCharge(account, orderId, total), cause, traceparent);
}
