import { createOutboxRelay, runService } from '@eventmart/shared';
import type { EventData, EventName } from '@eventmart/shared/events';
import { createApp } from './app';
import { loadConfig } from './config';
import { createDeadlines } from './events/deadlines';
import { createSagaHandlers } from './events/saga-handlers';
import { createCatalogStore } from './store/catalog-store';
import { createOrderStore } from './store/order-store';
import { createOrderViews } from './store/order-views';

void runService('order', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const store = await createOrderStore(db);
  const views = await createOrderViews(db, store);
  const catalog = await createCatalogStore(db);
  // The outbox relay: publishes an order's new events in stream order, then updates its view.
  const relay = createOutboxRelay(
    store,
    async (orderId, commits) => {
      for (const event of commits.flatMap((commit) => commit.events)) {
        if (event.publish)
          await publisher.publish({ id: event.id, name: event.name, key: orderId, data: event.data as EventData<EventName> }, event.traceparent);
      }
      await views.project(orderId);
    },
    log,
  );
  const handlers = createSagaHandlers({ store, catalog, relay });
  const deadlines = createDeadlines(store, relay, config.orderDeadlineMs, log);
  const events = {
    appId: 'order',
    pubsubName: config.pubsubName,
    appApiToken: config.appApiToken,
    adminToken: config.adminToken,
    topics: ['products', 'payments', 'inventory', 'shipments'] as const,
    handlers,
    deadLetters,
  };
  return {
    app: createApp({ log, readiness, metrics, events, store, views, catalog, relay, corsOrigin: config.corsOrigin, orderDeadlineMs: config.orderDeadlineMs }),
    start: () => {
      relay.start(500);
      deadlines.start(1_000);
    },
    stop: async () => {
      await deadlines.stop();
      await relay.stop();
    },
  };
});
