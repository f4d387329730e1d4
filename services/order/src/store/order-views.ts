import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared';
import type { Order } from '../domain/order';

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
  /** Writes the view unless a newer version is already there. */
  project(order: Order): Promise<void>;
  get(orderId: string): Promise<OrderView | undefined>;
  byCustomer(customerId: string, limit: number): Promise<OrderView[]>;
  all(): Promise<OrderView[]>;
  clear(): Promise<void>;
}

export function toView(order: Order): OrderView {
  const { orderId, customerId, status, items, total, reason, placedAt, updatedAt, version } = order;
  return { orderId, customerId, status, items, total, ...(reason === undefined ? {} : { reason }), placedAt, updatedAt, version };
}

export async function createOrderViews(db: Db): Promise<OrderViews> {
  const views: Collection<OrderView & { _id: string }> = db.collection('order_views');
  await views.createIndex({ customerId: 1, placedAt: -1 });
  const hideId = { projection: { _id: 0 } };

  return {
    async project(order) {
      try {
        await views.replaceOne({ _id: order.orderId, version: { $lt: order.version } }, toView(order), { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // a newer version is already projected
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
