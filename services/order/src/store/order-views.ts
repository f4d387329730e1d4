import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared/mongo';
import { traceIdOf } from '@eventmart/shared/tracing';
import { fold, type Order, type RecordedEvent } from '../domain/order';
import type { OrderStore } from './order-store';

/** The read model behind GET /orders: one document per order, rebuilt from the streams at will. */
export interface OrderView {
  orderId: string;
  customerId: string;
  status: Order['status'];
  items: Order['items'];
  total: number;
  reason?: string;
  placedAt: string;
  updatedAt: string;
  version: number;
  /** The trace the order started (its POST), for a trace view's link; absent when none was recorded. */
  traceId?: string;
}

export interface OrderViews {
  /**
   * Brings the order's view up to its stream; `known` is the stream as the caller has just
   * appended to it, which saves reading it.
   */
  project(orderId: string, known?: readonly RecordedEvent[]): Promise<void>;
  get(orderId: string): Promise<OrderView | undefined>;
  byCustomer(customerId: string, limit: number): Promise<OrderView[]>;
  all(): Promise<OrderView[]>;
  clear(): Promise<void>;
}

/** The view of an order's stream: its folded state and the trace its first event belongs to. */
export function toView(events: readonly (RecordedEvent & { traceparent?: string })[]): OrderView {
  const { orderId, customerId, status, items, total, reason, placedAt, updatedAt, version }: Order = fold(events);
  const traceId = traceIdOf(events[0]?.traceparent);
  return {
    orderId,
    customerId,
    status,
    items,
    total,
    ...(reason === undefined ? {} : { reason }),
    placedAt,
    updatedAt,
    version,
    ...(traceId ? { traceId } : {}),
  };
}

export async function createOrderViews(db: Db, store: OrderStore): Promise<OrderViews> {
  const views: Collection<OrderView & { _id: string }> = db.collection('order_views');
  await views.createIndex({ customerId: 1, placedAt: -1 });
  const hideId = { projection: { _id: 0 } };

  return {
    async project(orderId, known) {
      // Two projectors (replicas) may race, and a write guarded by the version is not atomic
      // on FerretDB (the older of two racing writes may land last). So whoever writes checks
      // afterwards that the stream has nothing beyond what it wrote, and writes again if it
      // has: the last writer's check always sees every commit, so the view ends at the newest.
      let events = known ?? (await store.read(orderId)).events;
      for (let attempt = 0; attempt < 10 && events.length > 0; attempt++) {
        const view = toView(events);
        try {
          await views.replaceOne({ _id: orderId, version: { $lt: view.version } }, view, { upsert: true });
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // a newer version is already there
        }
        if ((await store.readAfter(orderId, view.version)).length === 0) return;
        events = (await store.read(orderId)).events;
      }
    },
    async get(orderId) {
      return (await views.findOne({ _id: orderId }, hideId)) ?? undefined;
    },
    async byCustomer(customerId, limit) {
      return views.find({ customerId }, hideId).sort({ placedAt: -1, orderId: -1 }).limit(limit).toArray();
    },
    async all() {
      return views.find({}, hideId).sort({ orderId: 1 }).toArray();
    },
    async clear() {
      await views.deleteMany({});
    },
  };
}
