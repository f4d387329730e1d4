import type { EventHandlers } from '@eventmart/shared/pubsub';
import { decideCharge, decideRefund } from '../domain/ledger';
import type { LedgerStore } from '../store/ledger-store';

/**
 * Payment's reactions to orders. The ledger's own entries guard every effect (one charge,
 * one refund per order); the entry that decides an outcome carries the outbox mark, and
 * the relay publishes the fact (events/facts.ts).
 */
export function createPaymentHandlers(ledger: LedgerStore): EventHandlers {
  return {
    'order.placed': async ({ id, data, traceparent }) => {
      await ledger.settle(data.customerId, (account) => decideCharge(account, data.orderId, data.total), id, traceparent);
    },
    'order.cancelled': async ({ id, data, traceparent }) => {
      await ledger.settle(data.customerId, (account) => decideRefund(account, data.orderId), id, traceparent);
    },
  };
}
