// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay, runService, SWEEP_MS } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { factOf, shipmentIdOf } from './domain/shipment';
import { createCourier } from './events/courier';
import { createShippingHandlers } from './events/shipping-handlers';
import { createShipmentStore } from './store/shipment-store';

void runService('shipping', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const shipments = await createShipmentStore(db);
  // Each state change that is a public fact goes out through the outbox, with a fixed id.
  const relay = createOutboxRelay(
    shipments.streams,
    async (orderId, commits) => {
      for (const event of commits.flatMap((commit) => commit.events)) {
        const fact = factOf(event);
        const traceparent = event.kind === 'addressed' ? undefined : event.traceparent;
        if (fact)
          await publisher.publish({ id: `${orderId}:${fact}`, name: fact, key: orderId, data: { orderId, shipmentId: shipmentIdOf(orderId) } }, traceparent);
      }
    },
    log,
    metrics,
  );
  const courier = createCourier(shipments, config, log);
  const handlers = createShippingHandlers(shipments, config.dispatchDelayMs);
  const events = consumer({ topics: ['orders'], handlers });
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
