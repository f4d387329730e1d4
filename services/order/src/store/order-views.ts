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

/** Strings in the order MongoDB sorts them: by their bytes, not by locale. */
const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Statuses an order does not leave: its older view versions are removed once it reaches one. */
const FINAL: ReadonlySet<OrderView['status']> = new Set(['DELIVERED', 'CANCELLED']);

/**
 * The views in MongoDB: one document per version of an order (`<orderId>:<version>`), and a
 * read takes the newest. Each projection is one insert, the one write that is atomic on
 * FerretDB too, so writers (replicas) that race need no check afterwards: whatever order
 * their inserts land in, the newest version is there and is the one read. Once an order is
 * final (delivered or cancelled) its older versions are removed, so an order keeps one
 * document when done and a few while in flight.
 */
export async function createOrderViews(db: Db, store: OrderStore): Promise<OrderViews> {
  const views: Collection<OrderView & { _id: string }> = db.collection('order_views');
  await views.createIndex({ orderId: 1 });
  await views.createIndex({ customerId: 1, placedAt: -1 });
  const hideId = { projection: { _id: 0 } };
  /** The newest version of each order among `found`, in the order first seen. */
  const newest = (found: readonly OrderView[]): OrderView[] => {
    const byOrder = new Map<string, OrderView>();
    for (const view of found) if ((byOrder.get(view.orderId)?.version ?? -1) < view.version) byOrder.set(view.orderId, view);
    return [...byOrder.values()];
  };

  return {
    async project(orderId, known) {
      const events = known ?? (await store.read(orderId)).events;
      if (events.length === 0) return;
      const view = toView(events);
      try {
        await views.insertOne({ _id: `${orderId}:${view.version}`, ...view });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // this version is already projected
      }
      if (FINAL.has(view.status)) await views.deleteMany({ orderId, version: { $lt: view.version } });
    },
    async get(orderId) {
      return newest(await views.find({ orderId }, hideId).toArray())[0];
    },
    async byCustomer(customerId, limit) {
      // Newest placed first, each order's versions together and newest first, so the first
      // document of an order is its view. An order in flight has a document per version: read
      // twice as many until `limit` orders are seen (from the top each time, so a removal of
      // versions between reads cannot shift a page past an order).
      for (let size = limit * 8; ; size *= 2) {
        const batch = await views.find({ customerId }, hideId).sort({ placedAt: -1, orderId: -1, version: -1 }).limit(size).toArray();
        const orders = newest(batch);
        if (batch.length < size || orders.length >= limit) return orders.slice(0, limit);
      }
    },
    async all() {
      return newest(await views.find({}, hideId).toArray()).sort((a, b) => byBytes(a.orderId, b.orderId));
    },
    async clear() {
      await views.deleteMany({});
    },
  };
}
