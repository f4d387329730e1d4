import type { Commit } from '@eventmart/shared/event-stream';
import type { EventName, OutgoingEvent } from '@eventmart/shared/events';
import type { StoredEntry } from '../store/ledger-store';

/** What payment publishes: the outcome of each charge, decline and refund its ledger decides. */
export const PUBLISHES = ['payment.succeeded', 'payment.failed', 'payment.refunded'] as const satisfies readonly EventName[];
export type PaymentFact = (typeof PUBLISHES)[number];

/**
 * The facts in a customer's newly committed ledger entries (deposits and voids are not
 * facts). Each id is fixed per order and fact, so a re-publish is a copy consumers drop.
 */
export function paymentFacts(customerId: string, commits: readonly Commit<StoredEntry>[]): OutgoingEvent<PaymentFact>[] {
  return commits
    .flatMap((commit) => commit.events)
    .flatMap(({ kind, orderId, amount, reason = 'declined', traceparent }): OutgoingEvent<PaymentFact>[] => {
      if (orderId === undefined) return [];
      const about = { key: orderId, ...(traceparent === undefined ? {} : { traceparent }) };
      if (kind === 'charge') return [{ ...about, id: `${orderId}:payment.succeeded`, name: 'payment.succeeded', data: { orderId, customerId, amount } }];
      if (kind === 'decline') return [{ ...about, id: `${orderId}:payment.failed`, name: 'payment.failed', data: { orderId, customerId, amount, reason } }];
      if (kind === 'refund') return [{ ...about, id: `${orderId}:payment.refunded`, name: 'payment.refunded', data: { orderId, customerId, amount } }];
      return [];
    });
}
