import { createFoldCache, type EventStreamStore } from '@eventmart/shared/event-stream';
import type { Product, ProductInput } from '../domain/product';
import {
  applyStock,
  decideCommit,
  decideHold,
  decideRelease,
  decideSet,
  emptyStock,
  toProduct,
  type HoldResult,
  type SetResult,
  type StockEvent,
  type StockState,
} from '../domain/stock';

export interface ProductStore {
  /** The stock streams, for the relay that publishes product.changed. */
  streams: EventStreamStore<StockEvent>;
  /** Sets name, price and available; with `expectedVersion`, only if the product is still at it. */
  put(sku: string, input: ProductInput, expectedVersion?: number): Promise<{ result: SetResult; product: Product | undefined }>;
  get(sku: string): Promise<Product | undefined>;
  /** The product as this process knows it, if that is at `version` or later; no database read. */
  known(sku: string, version: number): Product | undefined;
  list(): Promise<Product[]>;
  /**
   * Takes `quantity` for the order unless it holds or held some; never below zero. A decision
   * that would be made after `freshUntil` (a `performance.now()` time) is 'stale': nothing held.
   */
  hold(sku: string, orderId: string, quantity: number, freshUntil?: number): Promise<HoldResult | 'stale'>;
  /** Gives back what the order holds; nothing when it holds nothing. */
  release(sku: string, orderId: string): Promise<void>;
  /** Forgets the hold of a confirmed order: the stock is sold, not coming back. */
  commit(sku: string, orderId: string): Promise<void>;
}

/** Products as stock streams, one per sku (see domain/stock.ts and services/shared/src/event-stream.ts). */
export function createProductStore(streams: EventStreamStore<StockEvent>): ProductStore {
  // Each sku's state folded once, then caught up by id: a hold costs the same however long the stream.
  const folds = createFoldCache(streams, emptyStock, (stock, event, commit) => applyStock(stock, event, Date.parse(commit.at)));
  const state = (sku: string) => folds.current(sku);
  const change = <T>(sku: string, decide: (current: StockState) => { result: T; event?: StockEvent | undefined }) =>
    folds.decide(sku, (current) => {
      const { result, event } = decide(current);
      // Whatever changes what a product looks like (stock, name, price) is published; a commit
      // (a held line becoming sold) changes nothing a customer sees.
      return { result, events: event ? [event] : [], options: { outbox: event?.kind !== 'commit' } };
    });

  return {
    streams,
    async put(sku, input, expectedVersion) {
      const result = await change(sku, (current) => decideSet(current, input, expectedVersion));
      const current = await state(sku);
      return { result, product: current.exists ? toProduct(current) : undefined };
    },
    async get(sku) {
      const current = await state(sku);
      return current.exists ? toProduct(current) : undefined;
    },
    known(sku, version) {
      const cached = folds.cached(sku);
      return cached && cached.version >= version && cached.exists ? toProduct(cached) : undefined;
    },
    async list() {
      const skus = (await streams.streamIds()).sort().slice(0, 1000);
      return (await Promise.all(skus.map(state))).filter((s) => s.exists).map(toProduct);
    },
    hold: (sku, orderId, quantity, freshUntil = Infinity) =>
      change(sku, (current): { result: HoldResult | 'stale'; event?: StockEvent } =>
        performance.now() > freshUntil ? { result: 'stale' } : decideHold(current, orderId, quantity),
      ),
    release: (sku, orderId) => change(sku, (current) => ({ result: undefined, event: decideRelease(current, orderId) })),
    commit: (sku, orderId) => change(sku, (current) => ({ result: undefined, event: decideCommit(current, orderId) })),
  };
}
