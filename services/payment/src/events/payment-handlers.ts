import { retryOnConflict, type EventHandlers, type Publisher } from '@eventmart/shared';
import { decideCharge, decideRefund, type Decision } from '../domain/ledger';
import type { AccountStore } from '../store/account-store';

export interface PaymentHandlerDeps {
  accounts: AccountStore;
  publisher: Publisher;
  now?: () => string;
}

/**
 * Payment's reactions to orders. The ledger's own entries guard every effect (one charge,
 * one refund per order), and each delivery re-publishes the outcome with the same event
 * id, so a crash between the write and the publish heals on redelivery.
 */
export function createPaymentHandlers({ accounts, publisher, now = () => new Date().toISOString() }: PaymentHandlerDeps): EventHandlers {
  async function settle(customerId: string, decide: (entries: Parameters<typeof decideCharge>[0]) => Decision) {
    return retryOnConflict(async () => {
      const account = await accounts.load(customerId);
      const decision = decide(account.entries);
      if (decision.entries.length > 0) await accounts.append(account, decision.entries, now());
      return decision.outcome;
    });
  }

  async function publish(orderId: string, customerId: string, outcome: Decision['outcome'], traceparent: string | undefined) {
    if (!outcome) return;
    const { name, amount } = outcome;
    const data = outcome.name === 'payment.failed' ? { orderId, customerId, amount, reason: outcome.reason } : { orderId, customerId, amount };
    await publisher.publish({ id: `${orderId}:${name}`, name, key: orderId, data }, traceparent);
  }

  return {
    'order.placed': async ({ data, traceparent }) => {
      const outcome = await settle(data.customerId, (entries) => decideCharge(entries, data.orderId, data.total));
      await publish(data.orderId, data.customerId, outcome, traceparent);
    },
    'order.cancelled': async ({ data, traceparent }) => {
      const outcome = await settle(data.customerId, (entries) => decideRefund(entries, data.orderId));
      await publish(data.orderId, data.customerId, outcome, traceparent);
    },
  };
}
