import type { EventHandlers, Publisher } from '@eventmart/shared';
import { decideCharge, decideRefund, type Decision } from '../domain/ledger';
import { settle, type LedgerStore } from '../store/ledger-store';

/**
 * Payment's reactions to orders. The ledger's own entries guard every effect (one charge,
 * one refund per order), and each delivery re-publishes the outcome with the same event
 * id, so a crash between the write and the publish heals on redelivery.
 */
export function createPaymentHandlers(ledger: LedgerStore, publisher: Publisher): EventHandlers {
  async function publish(orderId: string, customerId: string, outcome: Decision['outcome'], traceparent: string | undefined) {
    if (!outcome) return;
    const { name, amount } = outcome;
    const data = outcome.name === 'payment.failed' ? { orderId, customerId, amount, reason: outcome.reason } : { orderId, customerId, amount };
    await publisher.publish({ id: `${orderId}:${name}`, name, key: orderId, data }, traceparent);
  }

  return {
    'order.placed': async ({ id, data, traceparent }) => {
      const { outcome } = await settle(ledger, data.customerId, (entries) => decideCharge(entries, data.orderId, data.total), id);
      await publish(data.orderId, data.customerId, outcome, traceparent);
    },
    'order.cancelled': async ({ id, data, traceparent }) => {
      const { outcome } = await settle(ledger, data.customerId, (entries) => decideRefund(entries, data.orderId), id);
      await publish(data.orderId, data.customerId, outcome, traceparent);
    },
  };
}
