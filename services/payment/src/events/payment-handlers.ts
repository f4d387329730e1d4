import type { EventHandlers } from '@eventmart/shared/pubsub';
import type { LedgerStore } from '../store/ledger-store';
import { chargeForOrder } from '../use-cases/charge-for-order';
import { refundOrder } from '../use-cases/refund-order';

/**
 * Payment's reactions to orders (use-cases/): the ledger's own entries guard every effect
 * (one charge, one refund per order); the relay publishes the outcome (events/facts.ts).
 */
export function createPaymentHandlers(ledger: LedgerStore): EventHandlers {
  return {
    'order.placed': ({ id, data, traceparent }) => chargeForOrder(ledger, { ...data, cause: id, traceparent }),
    'order.cancelled': ({ id, data, traceparent }) => refundOrder(ledger, { ...data, cause: id, traceparent }),
  };
}
