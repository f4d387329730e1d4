import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createEventStreamStore, createFoldCache, type AppendOptions, type EventStreamStore, type FoldCache } from '@eventmart/shared/event-stream';
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

/** An order's stream as this process knows it: its events as recorded, and the ids of the facts it has handled. */
export interface OrderHistory {
  events: Array<OrderEvent & { seq: number }>;
  causes: Set<string>;
}

export type OrderFolds = FoldCache<OrderEvent, OrderHistory>;

/**
 * The streams of the orders in flight, kept in memory (a FoldCache): a fact about an order
 * this process placed or has seen needs no read of its stream. An order's stream is short
 * and its interest brief, so a few thousand are kept.
 */
export function createOrderFolds(store: OrderStore, maxOrders = 2_000): OrderFolds {
  return createFoldCache<OrderEvent, OrderHistory>(
    store,
    () => ({ events: [], causes: new Set() }),
    (order, event, commit) => {
      order.events.push({ ...event, seq: order.events.length + 1 });
      if (commit.cause !== undefined) order.causes.add(commit.cause);
    },
    maxOrders,
  );
}

/** What the domain decided, as stored: each event with its own id, the time and the trace it was decided in. */
export function stamp(decided: readonly NewEvent[], at: string, traceparent: string | undefined): OrderEvent[] {
  const traced = traceparent ? { traceparent } : {};
  return decided.map((e) => ({ ...e, id: randomUUID(), occurredAt: at, ...traced }));
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
  const events = stamp(decided, options.at, traceparent);
  await store.append(orderId, version, events, options);
  return events.map((e, i) => ({ ...e, seq: version + 1 + i }));
}
