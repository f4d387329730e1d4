import type { Collection, Db } from 'mongodb';
import type { Product, ProductInput } from '../domain/product';

interface ProductDoc {
  _id: string;
  name: string;
  price: number;
  available: number;
  version: number;
  /** Set in the same write as any change, cleared once product.changed is out: the product's own outbox. */
  dirty: boolean;
  /** What each order holds of this product, written together with `available`. */
  holds: Record<string, number>;
}

export type HoldResult = 'held' | 'already-held' | 'short' | 'unknown-sku';

export interface ProductStore {
  put(sku: string, input: ProductInput): Promise<Product>;
  get(sku: string): Promise<Product | undefined>;
  list(): Promise<Product[]>;
  /** Takes `quantity` for the order unless it already holds some; never below zero. */
  hold(sku: string, orderId: string, quantity: number): Promise<HoldResult>;
  /** Gives back what the order holds; a no-op when it holds nothing. */
  release(sku: string, orderId: string, quantity: number): Promise<boolean>;
  /** Forgets the hold of a confirmed order: the stock is sold, not coming back. */
  commit(sku: string, orderId: string): Promise<void>;
  dirty(): Promise<Product[]>;
  markPublished(sku: string, version: number): Promise<void>;
}

const toProduct = ({ _id, name, price, available, version }: ProductDoc): Product => ({ sku: _id, name, price, available, version });

export async function createProductStore(db: Db): Promise<ProductStore> {
  const products: Collection<ProductDoc> = db.collection('products');
  await products.createIndex({ dirty: 1 });

  return {
    async put(sku, { name, price, available }) {
      const doc = await products.findOneAndUpdate(
        { _id: sku },
        { $set: { name, price, available, dirty: true }, $inc: { version: 1 }, $setOnInsert: { holds: {} } },
        { upsert: true, returnDocument: 'after' },
      );
      return toProduct(doc!);
    },
    async get(sku) {
      const doc = await products.findOne({ _id: sku });
      return doc ? toProduct(doc) : undefined;
    },
    async list() {
      return (await products.find().sort({ _id: 1 }).limit(1000).toArray()).map(toProduct);
    },
    async hold(sku, orderId, quantity) {
      const hold = `holds.${orderId}`;
      const { modifiedCount } = await products.updateOne(
        { _id: sku, available: { $gte: quantity }, [hold]: { $exists: false } },
        { $inc: { available: -quantity, version: 1 }, $set: { [hold]: quantity, dirty: true } },
      );
      if (modifiedCount === 1) return 'held';
      const doc = await products.findOne({ _id: sku });
      if (!doc) return 'unknown-sku';
      return doc.holds?.[orderId] !== undefined ? 'already-held' : 'short';
    },
    async release(sku, orderId, quantity) {
      const hold = `holds.${orderId}`;
      const { modifiedCount } = await products.updateOne(
        { _id: sku, [hold]: quantity },
        { $inc: { available: quantity, version: 1 }, $unset: { [hold]: '' }, $set: { dirty: true } },
      );
      return modifiedCount === 1;
    },
    async commit(sku, orderId) {
      await products.updateOne({ _id: sku }, { $unset: { [`holds.${orderId}`]: '' } });
    },
    async dirty() {
      return (await products.find({ dirty: true }).limit(500).toArray()).map(toProduct);
    },
    async markPublished(sku, version) {
      await products.updateOne({ _id: sku, version }, { $set: { dirty: false } });
    },
  };
}
