import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared';
import { fold, type Order } from '../domain/order';
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
}

export interface OrderViews {
  /** Brings the order's view up to its stream. */
  project(orderId: string): Promise<void>;
  get(orderId: string): Promise<OrderView | undefined>;
  byCustomer(customerId: string, limit: number): Promise<OrderView[]>;
  all(): Promise<OrderView[]>;
  clear(): Promise<void>;
}

export function toView(order: Order): OrderView {
  const { orderId, customerId, status, items, total, reason, placedAt, updatedAt, version } = order;
  return { orderId, customerId, status, items, total, ...(reason === undefined ? {} : { reason }), placedAt, updatedAt, version };
}

export async function createOrderViews(db: Db, store: OrderStore): Promise<OrderViews> {
  const views: Collection<OrderView & { _id: string }> = db.collection('order_views');
  await views.createIndex({ customerId: 1, placedAt: -1 });
  const hideId = { projection: { _id: 0 } };

  return {
    async project(orderId) {
      // Two projectors (replicas) may race, and a write guarded by the version is not atomic
      // on FerretDB: so each projector checks the stream again after writing, and writes
      // again while the stream is ahead of what it wrote. The last write is always the newest.
      for (let attempt = 0; attempt < 10; attempt++) {
        const stream = await store.read(orderId);
        if (stream.version === 0) return;
        const view = toView(fold(stream.events));
        try {
          await views.replaceOne({ _id: orderId, version: { $lt: view.version } }, view, { upsert: true });
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // a newer version is already there
        }
        const stored = await views.findOne({ _id: orderId }, { projection: { version: 1 } });
        const newer = await store.readAfter(orderId, view.version);
        if ((stored?.version ?? 0) >= view.version + newer.reduce((n, commit) => n + commit.events.length, 0)) return;
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
