import { runService } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { createCourier } from './events/courier';
import { createShippingHandlers } from './events/shipping-handlers';
import { createShipmentStore } from './store/shipment-store';

void runService('shipping', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const shipments = await createShipmentStore(db);
  const courier = createCourier(shipments, publisher, config, log);
  const handlers = createShippingHandlers(shipments, courier, config.dispatchDelayMs);
  const events = { appId: 'shipping', pubsubName: config.pubsubName, appApiToken: config.appApiToken, topics: ['orders'] as const, handlers, deadLetters };
  return {
    app: createApp({ log, readiness, metrics, events, shipments }),
    start: () => courier.start(250),
    stop: () => courier.stop(),
  };
});
