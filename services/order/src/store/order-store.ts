import type { Db } from 'mongodb';
import { createEventStreamStore, type EventStreamStore } from '@eventmart/shared/event-stream';
import type { RecordedEvent } from '../domain/order';

/**
 * An event as stored in an order's stream; its place (seq) comes from the commit. The
 * trace it was decided in travels with it, so the relay's publish continues that trace.
 */
export type OrderEvent = Omit<RecordedEvent, 'seq'> & { traceparent?: string };

/**
 * The order event store: one stream per order, appended by single-document inserts that
 * carry the outbox mark (see services/shared/src/event-stream.ts).
 */
export type OrderStore = EventStreamStore<OrderEvent>;

export function createOrderStore(db: Db): Promise<OrderStore> {
  return createEventStreamStore<OrderEvent>(db, 'order_events');
}
