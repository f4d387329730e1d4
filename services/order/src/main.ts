import { runService } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { createOutboxRelay } from './events/outbox-relay';
import { createSagaHandlers } from './events/saga-handlers';
import { createCatalogStore } from './store/catalog-store';
import { createEventStore } from './store/event-store';
import { createOrderViews } from './store/order-views';

void runService('order', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const store = await createEventStore(db);
  const views = await createOrderViews(db);
  const catalog = createCatalogStore(db);
  const relay = createOutboxRelay(store, views, publisher, log);
  const handlers = createSagaHandlers({ store, catalog, relay, log });
  const events = {
    appId: 'order',
    pubsubName: config.pubsubName,
    appApiToken: config.appApiToken,
    topics: ['products', 'payments', 'inventory', 'shipments'] as const,
    handlers,
    deadLetters,
  };
  return {
    app: createApp({ log, readiness, metrics, events, store, views, catalog, relay }),
    start: () => relay.start(500),
    stop: () => relay.stop(),
  };
});
