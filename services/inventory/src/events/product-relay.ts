import type { Logger, Publisher } from '@eventmart/shared';
import type { ProductStore } from '../store/product-store';

export interface ProductRelay {
  /** Publishes product.changed for every product changed since it was last published. */
  flush(traceparent?: string): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * Every product change sets `dirty` in the same write, so a change is never lost between
 * the database and the broker: the relay publishes it (now, after the write, and again on
 * a timer if that failed) and clears the flag only if nothing changed meanwhile.
 */
export function createProductRelay(products: ProductStore, publisher: Publisher, log: Logger): ProductRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function publishDirty(traceparent?: string) {
    for (const product of await products.dirty()) {
      const { sku, version } = product;
      await publisher.publish({ id: `${sku}:v${version}`, name: 'product.changed', key: sku, data: product }, traceparent);
      await products.markPublished(sku, version);
    }
  }

  const relay: ProductRelay = {
    flush(traceparent) {
      // One pass at a time per process keeps each product's versions in order on the wire.
      running = running.then(() => publishDirty(traceparent));
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        relay.flush().catch((err: unknown) => log.warn({ err }, 'product relay pass failed, will retry'));
      }, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
  return relay;
}
