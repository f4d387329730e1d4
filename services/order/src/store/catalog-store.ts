import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared';
import type { EventData } from '@eventmart/shared/events';

export type CatalogEntry = EventData<'product.changed'>;

/**
 * Order's replica of inventory's products, kept from product.changed (event-carried
 * state transfer): orders are priced from here, never by asking inventory.
 */
export interface CatalogStore {
  /** Keeps the newest version of each product; older or repeated events change nothing. */
  apply(product: CatalogEntry): Promise<void>;
  find(skus: readonly string[]): Promise<Map<string, CatalogEntry>>;
  all(): Promise<CatalogEntry[]>;
}

export function createCatalogStore(db: Db): CatalogStore {
  const catalog: Collection<CatalogEntry & { _id: string }> = db.collection('catalog');
  return {
    async apply(product) {
      try {
        await catalog.replaceOne({ _id: product.sku, version: { $lt: product.version } }, product, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async find(skus) {
      const entries = await catalog.find({ _id: { $in: [...skus] } }, { projection: { _id: 0 } }).toArray();
      return new Map(entries.map((entry) => [entry.sku, entry]));
    },
    async all() {
      return catalog.find({}, { projection: { _id: 0 } }).sort({ _id: 1 }).limit(1000).toArray();
    },
  };
}
