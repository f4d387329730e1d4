import { randomUUID } from 'node:crypto';
import { retryOnConflict } from '@eventmart/shared/mongo';
import { PoisonEventError, type EventHandlers, type InboundEvent } from '@eventmart/shared/pubsub';
import { react, type FactName, type RecordedEvent } from '../domain/order';
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
  // What every fact carries: enough to find the order and, on a failure, the reason.
  async function onFact(event: Pick<InboundEvent, 'id' | 'traceparent'> & { name: FactName; data: { orderId: string; reason?: string } }) {
    const { orderId } = event.data;
    // Another fact about the same order may be appended first: then read again and decide again.
    // The stream as appended to (for the view), or 'copy', or undefined when nothing changed.
    const changed = await retryOnConflict(async (): Promise<RecordedEvent[] | 'copy' | undefined> => {
      const stream = await store.read(orderId);
      if (stream.version === 0) throw new PoisonEventError(`no order ${orderId}`);
      if (stream.causes.has(event.id)) return 'copy'; // the first delivery may have crashed before projecting
      const next = react(stream.events, { name: event.name, data: event.data });
      if (next.length === 0) return undefined;
      const occurredAt = now();
      const traced = event.traceparent ? { traceparent: event.traceparent } : {};
      const added = next.map((e) => ({ ...e, id: randomUUID(), occurredAt, ...traced }));
      await store.append(orderId, stream.version, added, { cause: event.id, outbox: true, at: occurredAt });
      return [...stream.events, ...added.map((e, i) => ({ ...e, seq: stream.version + 1 + i }))];
    });
    if (changed) await views.project(orderId, changed === 'copy' ? undefined : changed);
  }

  return {
    'product.changed': async ({ data }) => catalog.apply(data),
    // Every fact about an order goes into its stream (domain/order.ts FACTS lists them; the type checks none is missing).
    'payment.succeeded': onFact,
    'payment.failed': onFact,
    'payment.refunded': onFact,
    'stock.reserved': onFact,
    'stock.rejected': onFact,
    'stock.released': onFact,
    'shipment.scheduled': onFact,
    'shipment.dispatched': onFact,
    'shipment.delivered': onFact,
  } satisfies EventHandlers & Record<FactName, typeof onFact>;
}
