// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay, runService, SWEEP_MS } from '@eventmart/shared';
import type { EventData, EventName } from '@eventmart/shared/events';
import { createApp } from './app';
import { loadConfig } from './config';
import { createDeadlines } from './events/deadlines';
import { createSagaHandlers } from './events/saga-handlers';
import { createCatalogStore } from './store/catalog-store';
import { createOrderStore } from './store/order-store';
import { createOrderViews } from './store/order-views';

void runService('order', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const store = await createOrderStore(db);
  const views = await createOrderViews(db, store);
  const catalog = await createCatalogStore(db);
  // The outbox relay: publishes an order's new events in stream order.
  const relay = createOutboxRelay(
    store,
    async (orderId, commits) => {
      for (const event of commits.flatMap((commit) => commit.events)) {
        if (event.publish)
          await publisher.publish({ id: event.id, name: event.name, key: orderId, data: event.data as EventData<EventName> }, event.traceparent);
      }
    },
    log,
    metrics,
  );
  const handlers = createSagaHandlers({ store, views, catalog });
  const deadlines = createDeadlines(store, views, config.orderDeadlineMs, log);
  const events = consumer({ topics: ['products', 'payments', 'inventory', 'shipments'], handlers });
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
