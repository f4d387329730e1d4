// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { createOutboxRelay } from '@eventmart/shared/outbox-relay';
import { runService } from '@eventmart/shared/service';
import { SWEEP_MS } from '@eventmart/shared/timers';
import { createApp } from './app';
import { loadConfig } from './config';
import { paymentFacts } from './events/facts';
import { createPaymentHandlers } from './events/payment-handlers';
import { createLedgerStore } from './store/ledger-store';

void runService('payment', loadConfig, async ({ config, log, db, publisher, readiness, metrics, consumer }) => {
  const ledger = await createLedgerStore(db);
  // A charge, a decline or a refund is a public fact: the relay publishes it (events/facts.ts).
  const relay = createOutboxRelay(ledger.streams, (customerId, commits) => publisher.publish(paymentFacts(customerId, commits)), log, metrics);
  const handlers = createPaymentHandlers(ledger);
  const events = consumer(handlers);
  return {
    app: createApp({ log, readiness, metrics, events, ledger, corsOrigin: config.corsOrigin }),
    start: () => relay.start(SWEEP_MS),
    stop: () => relay.stop(),
  };
});
