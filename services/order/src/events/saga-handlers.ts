import { randomUUID } from 'node:crypto';
import { PoisonEventError, retryOnConflict, type EventHandlers, type InboundEvent } from '@eventmart/shared';
import { FACTS, react, type FactName } from '../domain/order';
import type { CatalogStore } from '../store/catalog-store';
import type { OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

export interface SagaDeps {
  store: OrderStore;
  views: OrderViews;
  catalog: CatalogStore;
  now?: () => string;
}

/**
 * The process manager's inbox: each fact about an order is recorded in the order's
 * stream, with the fact's event id in the same write, and may move the order on. A copy
 * of a fact is recognised by its id and changes nothing.
 */
export function createSagaHandlers({ store, views, catalog, now = () => new Date().toISOString() }: SagaDeps): EventHandlers {
  async function onFact(event: InboundEvent<FactName>) {
    const { orderId } = event.data;
    // Another fact about the same order may be appended first: then read again and decide again.
    const changed = await retryOnConflict(async () => {
      const stream = await store.read(orderId);
      if (stream.version === 0) throw new PoisonEventError(`no order ${orderId}`);
      if (stream.causes.has(event.id)) return true; // a copy: the first delivery may have crashed before projecting
      const next = react(stream.events, { name: event.name, data: event.data });
      if (next.length === 0) return false;
      const occurredAt = now();
      const traced = event.traceparent ? { traceparent: event.traceparent } : {};
      await store.append(
        orderId,
        stream.version,
        next.map((e) => ({ ...e, id: randomUUID(), occurredAt, ...traced })),
        { cause: event.id, outbox: true, at: occurredAt },
      );
      return true;
    });
    if (changed) await views.project(orderId);
  }

  const handlers: EventHandlers = {
    'product.changed': async ({ data }) => catalog.apply(data),
  };
  for (const name of FACTS) (handlers as Record<string, typeof onFact>)[name] = onFact;
  return handlers;
}
