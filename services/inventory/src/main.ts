// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createEventStreamStore, createOutboxRelay, runService, SWEEP_MS } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { factOf } from './domain/reservation';
import { createStockHandlers } from './events/stock-handlers';
import { createProductStore } from './store/product-store';
import { createReservationStore, foldReservation } from './store/reservation-store';

void runService('inventory', loadConfig, async ({ log, db, publisher, readiness, metrics, consumer }) => {
  const products = createProductStore(await createEventStreamStore(db, 'stock_events'));
  const reservations = createReservationStore(await createEventStreamStore(db, 'reservation_events'));

  // Every stock change is an outbox commit: publish the product's state as it now is.
  const productRelay = createOutboxRelay(
    products.streams,
    async (sku, commits) => {
      // The product as of these commits or later; this process usually knows it already (it appended them).
      const last = commits.at(-1)!;
      const product = products.known(sku, last.seq + last.events.length - 1) ?? (await products.get(sku));
      if (product) await publisher.publish({ id: `${sku}:v${product.version}`, name: 'product.changed', key: sku, data: product });
    },
    log,
    metrics,
  );
  // Every reservation move that is a public fact (reserved, rejected, released) is one too.
  const reservationRelay = createOutboxRelay(
    reservations.streams,
    async (orderId, commits) => {
      const { events } = await reservations.streams.read(orderId);
      const { items, reason = 'rejected' } = foldReservation(orderId, events)!;
      const traceparent = events[0]?.traceparent;
      for (const { state } of commits.flatMap((commit) => commit.events)) {
        const fact = factOf(orderId, state);
        if (fact?.name === 'stock.rejected') await publisher.publish({ ...fact, name: fact.name, key: orderId, data: { orderId, reason } }, traceparent);
        else if (fact) await publisher.publish({ ...fact, name: fact.name, key: orderId, data: { orderId, items } }, traceparent);
      }
    },
    log,
    metrics,
  );
  const handlers = createStockHandlers({ products, reservations });
  const events = consumer({ topics: ['orders'], handlers });
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
