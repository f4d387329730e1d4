import { NotFoundError } from '@eventmart/shared/errors';
import type { Decided } from '@eventmart/shared/event-stream';
import { react, type FactName, type RecordedEvent } from '../domain/order';
import { stamp, type OrderEvent, type OrderFolds } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

export interface ReactToFactDeps {
  folds: OrderFolds;
  views: OrderViews;
  now?: () => Date;
}

/** What payment, inventory or shipping said about an order: enough to find it and, on a failure, the reason. */
export interface Fact {
  /** The fact's own id: recorded with its effect, so a copy changes nothing. */
  id: string;
  name: FactName;
  data: { orderId: string; reason?: string };
  traceparent: string | undefined;
}

/** The stream as appended to (for the view), or why nothing was. */
type Outcome = RecordedEvent[] | 'copy' | 'unchanged' | 'missing';

/**
 * The saga's step: the fact is recorded in the order's stream, with its id in the same
 * write, and may move the order on (domain `react`: confirmed, cancelled, shipped,
 * delivered); the relay publishes what the order decided. The decision is made on the
 * order as this process knows it (OrderFolds): when another fact about it was appended
 * first, the append loses, catches up and decides again. An order nobody placed is
 * NotFoundError: the fact can never apply.
 */
export async function reactToFact({ folds, views, now = () => new Date() }: ReactToFactDeps, fact: Fact): Promise<void> {
  const { orderId } = fact.data;
  const outcome = await folds.decide(orderId, (order): Decided<OrderEvent, Outcome> => {
    if (order.version === 0) return { result: 'missing', events: [] };
    if (order.causes.has(fact.id)) return { result: 'copy', events: [] };
    const next = react(order.events, { name: fact.name, data: fact.data });
    if (next.length === 0) return { result: 'unchanged', events: [] };
    const at = now().toISOString();
    const events = stamp(next, at, fact.traceparent);
    return {
      result: [...order.events, ...events.map((e, i) => ({ ...e, seq: order.version + 1 + i }))],
      events,
      // A commit that only records the fact has nothing to publish: no outbox mark to clear.
      options: { cause: fact.id, outbox: next.some((e) => e.publish), at },
    };
  });
  if (outcome === 'missing') throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
  if (outcome === 'unchanged') return;
  // A copy is projected again: the first delivery may have crashed before projecting.
  await views.project(orderId, outcome === 'copy' ? undefined : outcome);
}
