// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay } from '@eventmart/shared/outbox-relay';
import { runService } from '@eventmart/shared/service';
import { SWEEP_MS } from '@eventmart/shared/timers';
import { createApp } from './app';
import { loadConfig } from './config';
import { createDeadlines } from './events/deadlines';
import { orderFacts } from './events/facts';
import { createSagaHandlers } from './events/saga-handlers';
import { createCatalogStore } from './store/catalog-store';
import { createOrderFolds, createOrderStore } from './store/order-store';
import { createOrderViews } from './store/order-views';

void runService('order', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const store = await createOrderStore(db);
  const views = await createOrderViews(db, store);
  const catalog = await createCatalogStore(db);
  // The outbox relay: publishes an order's new events in stream order (events/facts.ts).
  const relay = createOutboxRelay(store, (orderId, commits) => publisher.publish(orderFacts(orderId, commits)), log, metrics);
  const handlers = createSagaHandlers({ folds: createOrderFolds(store), views, catalog });
  const deadlines = createDeadlines(store, views, config.orderDeadlineMs, log);
  const events = consumer(handlers);
  return {
    app: createApp({ log, readiness, metrics, events, store, views, catalog, corsOrigin: config.corsOrigin, orderDeadlineMs: config.orderDeadlineMs }),
    start: () => {
      relay.start(SWEEP_MS);
      deadlines.start(SWEEP_MS);
    },
    stop: async () => {
      await deadlines.stop();
      await relay.stop();
    },
  };
});
