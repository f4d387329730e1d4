// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay, runService, SWEEP_MS } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { factOfEntry } from './domain/ledger';
import { createPaymentHandlers } from './events/payment-handlers';
import { createLedgerStore } from './store/ledger-store';

void runService('payment', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const ledger = await createLedgerStore(db);
  // A charge, a decline or a refund is a public fact: the relay publishes it with a fixed id.
  const relay = createOutboxRelay(
    ledger.streams,
    async (customerId, commits) => {
      for (const entry of commits.flatMap((commit) => commit.events)) {
        const fact = factOfEntry(entry);
        const { orderId, amount, reason = 'declined', traceparent } = entry;
        if (!fact || !orderId) continue;
        const id = `${orderId}:${fact}`;
        if (fact === 'payment.failed') await publisher.publish({ id, name: fact, key: orderId, data: { orderId, customerId, amount, reason } }, traceparent);
        else await publisher.publish({ id, name: fact, key: orderId, data: { orderId, customerId, amount } }, traceparent);
      }
    },
    log,
    metrics,
  );
  const handlers = createPaymentHandlers(ledger);
  const events = consumer({ topics: ['orders'], handlers });
  return {
    app: createApp({ log, readiness, metrics, events, ledger, corsOrigin: config.corsOrigin }),
    start: () => relay.start(SWEEP_MS),
    stop: () => relay.stop(),
  };
});
