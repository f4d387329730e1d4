// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createEventStreamStore } from '@eventmart/shared/event-stream';
import { createOutboxRelay } from '@eventmart/shared/outbox-relay';
import { runService } from '@eventmart/shared/service';
import { SWEEP_MS } from '@eventmart/shared/timers';
import { createApp } from './app';
import { loadConfig } from './config';
import { productFacts, reservationFacts } from './events/facts';
import { createStockHandlers } from './events/stock-handlers';
import { createProductStore } from './store/product-store';
import { createReservationStore } from './store/reservation-store';

void runService('inventory', loadConfig, async ({ log, db, publisher, readiness, metrics, consumer }) => {
  const products = createProductStore(await createEventStreamStore(db, 'stock_events'));
  const reservations = createReservationStore(await createEventStreamStore(db, 'reservation_events'));

  // Every stock change and every reservation move that is a public fact goes out through an outbox (events/facts.ts).
  const productRelay = createOutboxRelay(products.streams, async (sku, commits) => publisher.publish(await productFacts(products, sku, commits)), log, metrics);
  const reservationRelay = createOutboxRelay(
    reservations.streams,
    async (orderId, commits) => publisher.publish(await reservationFacts(reservations, orderId, commits)),
    log,
    metrics,
  );
  const handlers = createStockHandlers({ products, reservations });
  const events = consumer(handlers);
  return {
    app: createApp({ log, readiness, metrics, events, products }),
    start: () => {
      productRelay.start(SWEEP_MS);
      reservationRelay.start(SWEEP_MS);
    },
    stop: async () => {
      await productRelay.stop();
      await reservationRelay.stop();
    },
  };
});
