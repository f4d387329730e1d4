import type { Commit } from '@eventmart/shared/event-stream';
import type { EventName, OutgoingEvent } from '@eventmart/shared/events';
import type { OrderEvent } from '../store/order-store';

/** What order publishes: the order's own moves (the facts it records from others stay in its stream). */
export const PUBLISHES = ['order.placed', 'order.confirmed', 'order.cancelled', 'order.shipped', 'order.delivered'] as const satisfies readonly EventName[];
export type OrderFact = (typeof PUBLISHES)[number];

const published = new Set<EventName>(PUBLISHES);
const isOrderFact = (name: EventName): name is OrderFact => published.has(name);

/** The events of an order's new commits that the domain marked for publishing, with the ids they were stored with. */
export function orderFacts(orderId: string, commits: readonly Commit<OrderEvent>[]): OutgoingEvent<OrderFact>[] {
  return commits
    .flatMap((commit) => commit.events)
    .flatMap(({ id, name, data, publish, traceparent }): OutgoingEvent<OrderFact>[] => {
      if (!publish) return [];
      if (!isOrderFact(name)) throw new Error(`order does not publish ${name}: add it to PUBLISHES and to the catalog's producer`);
      // The domain decided the data with the name (domain/order.ts), as the catalog's schema has it.
      return [{ id, name, key: orderId, data, ...(traceparent === undefined ? {} : { traceparent }) } as OutgoingEvent<OrderFact>];
    });
}
