import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared/mongo';
import type { EventData } from '@eventmart/shared/events';

export type CatalogEntry = EventData<'product.changed'>;

/**
 * Order's replica of inventory's products, kept from product.changed (event-carried
 * state transfer): orders are priced from here, never by asking inventory. Each version
 * is its own document (an insert is the one write that is atomic on FerretDB too), and a
 * read takes the newest: a late or repeated event changes nothing. When a sku's version is
 * PRUNE_EVERY or more past the one this process last pruned at, it removes the versions older
 * than the one it just stored, so a sku keeps about PRUNE_EVERY and reading its newest costs
 * the same however often the product changed (the newest is never removed: only versions
 * older than one that exists are). Stock moves with every order, so pruning on each insert
 * cost a round trip an order.
 */
export interface CatalogStore {
  apply(product: CatalogEntry): Promise<void>;
  find(skus: readonly string[]): Promise<Map<string, CatalogEntry>>;
  all(): Promise<CatalogEntry[]>;
}

export const PRUNE_EVERY = 16;

export async function createCatalogStore(db: Db): Promise<CatalogStore> {
  const versions: Collection<CatalogEntry & { _id: string }> = db.collection('catalog_versions');
  await versions.createIndex({ sku: 1, version: -1 });
  const latest = async (sku: string): Promise<CatalogEntry | undefined> => {
    const [newest] = await versions.find({ sku }).sort({ version: -1 }).limit(1).toArray();
    if (!newest) return undefined;
    const { _id, ...entry } = newest;
    return entry;
  };
  // The version of each sku this process last pruned below (none yet: the first insert prunes).
  const prunedAt = new Map<string, number>();

  return {
    async apply(product) {
      try {
        await versions.insertOne({ _id: `${product.sku}:${product.version}`, ...product });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const last = prunedAt.get(product.sku);
      if (last !== undefined && product.version - last < PRUNE_EVERY) return;
      await versions.deleteMany({ sku: product.sku, version: { $lt: product.version } });
      prunedAt.set(product.sku, product.version);
    },
    async find(skus) {
      const entries = await Promise.all([...new Set(skus)].map(latest));
      return new Map(entries.flatMap((entry) => (entry ? [[entry.sku, entry] as const] : [])));
    },
    async all() {
      const skus = ((await versions.distinct('sku')) as string[]).sort();
      return (await Promise.all(skus.map(latest))).filter((entry): entry is CatalogEntry => entry !== undefined);
    },
  };
}
