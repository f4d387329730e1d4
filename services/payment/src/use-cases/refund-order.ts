import { decideRefund } from '../domain/ledger';
import type { LedgerStore } from '../store/ledger-store';

/**
 * Gives back what a cancelled order was charged, once; when nothing was charged yet, the
 * ledger remembers the cancellation so a late order.placed is never charged (domain
 * `decideRefund`). The relay publishes payment.refunded.
 */
export function refundOrder(
  ledger: LedgerStore,
  { orderId, customerId, cause, traceparent }: { orderId: string; customerId: string; cause: string; traceparent: string | undefined },
): Promise<void> {
  return ledger.settle(customerId, (account) => decideRefund(account, orderId), cause, traceparent);
}
