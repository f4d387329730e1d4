import type { CatalogEntry, CatalogStore } from '../src/store/catalog-store';
import type { OrderStore } from '../src/store/order-store';
import { toView, type OrderView, type OrderViews } from '../src/store/order-views';

/** The catalog replica in memory: the newest version of each sku. */
export function memoryCatalog(): CatalogStore {
  const entries = new Map<string, CatalogEntry>();
  return {
    async apply(product) {
      if ((entries.get(product.sku)?.version ?? 0) < product.version) entries.set(product.sku, product);
    },
    async find(skus) {
      return new Map(skus.flatMap((sku) => (entries.has(sku) ? [[sku, entries.get(sku)!] as const] : [])));
    },
    async all() {
      return [...entries.values()];
    },
  };
}

/** The read model in memory, projected from the stream as the MongoDB one is. */
export function memoryViews(store: OrderStore): OrderViews {
  const views = new Map<string, OrderView>();
  return {
    async project(orderId, known) {
      views.set(orderId, toView(known ?? (await store.read(orderId)).events));
    },
    async get(orderId) {
      return views.get(orderId);
    },
    async byCustomer(customerId, limit) {
      return [...views.values()].filter((view) => view.customerId === customerId).slice(0, limit);
    },
    async all() {
      return [...views.values()];
    },
    async clear() {
      views.clear();
    },
  };
}
