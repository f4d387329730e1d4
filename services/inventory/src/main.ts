import { createEventStreamStore, createOutboxRelay, runService } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { createStockHandlers } from './events/stock-handlers';
import { createProductStore } from './store/product-store';
import { createReservationStore } from './store/reservation-store';

void runService('inventory', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const products = createProductStore(await createEventStreamStore(db, 'stock_events'));
  const reservations = createReservationStore(await createEventStreamStore(db, 'reservation_events'));
  // Every stock change is an outbox commit: the relay publishes the product's state as it now is.
  const relay = createOutboxRelay(
    products.streams,
    async (sku) => {
      const product = await products.get(sku);
      if (product) await publisher.publish({ id: `${sku}:v${product.version}`, name: 'product.changed', key: sku, data: product });
    },
    log,
  );
  const handlers = createStockHandlers({ products, reservations, relay, publisher });
  const events = { appId: 'inventory', pubsubName: config.pubsubName, appApiToken: config.appApiToken, topics: ['orders'] as const, handlers, deadLetters };
  return {
    app: createApp({ log, readiness, metrics, events, products, relay }),
    start: () => relay.start(1_000),
    stop: () => relay.stop(),
  };
});
