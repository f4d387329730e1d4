// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay } from '@eventmart/shared/outbox-relay';
import { runService } from '@eventmart/shared/service';
import { SWEEP_MS } from '@eventmart/shared/timers';
import { createApp } from './app';
import { loadConfig } from './config';
import { createCourier } from './events/courier';
import { shippingFacts } from './events/facts';
import { createShippingHandlers } from './events/shipping-handlers';
import { createShipmentStore } from './store/shipment-store';

void runService('shipping', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const shipments = await createShipmentStore(db);
  // Each state change that is a public fact goes out through the outbox (events/facts.ts).
  const relay = createOutboxRelay(shipments.streams, (orderId, commits) => publisher.publish(shippingFacts(orderId, commits)), log, metrics);
  const courier = createCourier(shipments, config, log);
  const handlers = createShippingHandlers(shipments, config.dispatchDelayMs);
  const events = consumer(handlers);
  return {
    app: createApp({ log, readiness, metrics, events, shipments }),
    start: () => {
      relay.start(SWEEP_MS);
      courier.start(SWEEP_MS);
    },
    stop: async () => {
      await courier.stop();
      await relay.stop();
    },
  };
});
