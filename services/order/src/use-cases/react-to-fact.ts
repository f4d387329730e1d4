import { NotFoundError } from '@eventmart/shared/errors';
import { retryOnConflict } from '@eventmart/shared/mongo';
import { react, type FactName, type RecordedEvent } from '../domain/order';
import { appendDecided, type OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

export interface ReactToFactDeps {
  store: OrderStore;
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

/**
 * The saga's step: the fact is recorded in the order's stream, with its id in the same
 * write, and may move the order on (domain `react`: confirmed, cancelled, shipped,
 * delivered); the relay publishes what the order decided. An order nobody placed is
 * NotFoundError: the fact can never apply.
 */
export async function reactToFact({ store, views, now = () => new Date() }: ReactToFactDeps, fact: Fact): Promise<void> {
  const { orderId } = fact.data;
  // Another fact about the same order may be appended first: then read again and decide again.
  // The stream as appended to (for the view), or 'copy', or undefined when nothing changed.
  const changed = await retryOnConflict(async (): Promise<RecordedEvent[] | 'copy' | undefined> => {
    const stream = await store.read(orderId);
    if (stream.version === 0) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
    if (stream.causes.has(fact.id)) return 'copy'; // the first delivery may have crashed before projecting
    const next = react(stream.events, { name: fact.name, data: fact.data });
    if (next.length === 0) return undefined;
    const added = await appendDecided(store, orderId, stream.version, next, {
      cause: fact.id,
      outbox: true,
      at: now().toISOString(),
      traceparent: fact.traceparent,
    });
    return [...stream.events, ...added];
  });
  if (changed) await views.project(orderId, changed === 'copy' ? undefined : changed);
}
