import { cloudEventType, type EventName } from '@eventmart/shared/events';
import type { EventHandlers } from '@eventmart/shared/pubsub';
import { inSpan } from '@eventmart/shared/tracing';
import type { FeedEvent, RecentEvents } from '../domain/recent-events';

export type Listener = (event: FeedEvent) => void;

export interface LiveFeed {
  handlers: EventHandlers;
  listen(listener: Listener): () => void;
}

/**
 * Every customer-facing event goes into the recent buffer and out to every open stream. The
 * stream is anonymous, so what only the shop needs stays out of it: a shipping address never
 * leaves notification (order.placed carries one).
 */
export function createLiveFeed(recent: RecentEvents, now = () => new Date().toISOString()): LiveFeed {
  const listeners = new Set<Listener>();
  const onEvent = async ({ id, name, data }: { id: string; name: EventName; data: unknown }) => {
    const orderId = (data as { orderId?: string }).orderId;
    const event: FeedEvent = { id, type: cloudEventType(name), orderId, data: withoutAddress(data), at: now() };
    if (!recent.add(event)) return;
    // The last hop of an order's trace: the fact written to every open page.
    await inSpan(`${name} push`, { attributes: { 'eventmart.sse.clients': listeners.size } }, async () => {
      for (const listener of listeners) listener(event);
    });
  };
  // Every event of the catalog is news for the page (the type checks none is missing).
  const handlers = {
    'order.placed': onEvent,
    'order.confirmed': onEvent,
    'order.cancelled': onEvent,
    'order.shipped': onEvent,
    'order.delivered': onEvent,
    'payment.succeeded': onEvent,
    'payment.failed': onEvent,
    'payment.refunded': onEvent,
    'stock.reserved': onEvent,
    'stock.rejected': onEvent,
    'stock.released': onEvent,
    'product.changed': onEvent,
    'shipment.scheduled': onEvent,
    'shipment.dispatched': onEvent,
    'shipment.delivered': onEvent,
  } satisfies EventHandlers & Record<EventName, typeof onEvent>;
  return {
    handlers,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function withoutAddress(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || !('address' in data)) return data;
  const { address: _address, ...shown } = data as Record<string, unknown>;
  return shown;
}
