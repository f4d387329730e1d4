import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createEventStreamStore, type AppendOptions, type EventStreamStore } from '@eventmart/shared/event-stream';
import type { NewEvent, RecordedEvent } from '../domain/order';

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

/**
 * Appends what the domain decided to the order's stream at `version` (ConcurrencyError if
 * another writer got there first), each event with its own id, the time and the trace it was
 * decided in. Returns them as recorded, with their seq: a projection needs no read after.
 */
export async function appendDecided(
  store: OrderStore,
  orderId: string,
  version: number,
  decided: readonly NewEvent[],
  { traceparent, ...options }: AppendOptions & { at: string; traceparent: string | undefined },
): Promise<Array<OrderEvent & { seq: number }>> {
  const traced = traceparent ? { traceparent } : {};
  const events = decided.map((e) => ({ ...e, id: randomUUID(), occurredAt: options.at, ...traced }));
  await store.append(orderId, version, events, options);
  return events.map((e, i) => ({ ...e, seq: version + 1 + i }));
}
