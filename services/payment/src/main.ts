import { runService } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { createPaymentHandlers } from './events/payment-handlers';
import { createLedgerStore } from './store/ledger-store';

void runService('payment', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const ledger = await createLedgerStore(db);
  const handlers = createPaymentHandlers(ledger, publisher);
  const events = { appId: 'payment', pubsubName: config.pubsubName, appApiToken: config.appApiToken, topics: ['orders'] as const, handlers, deadLetters };
  return { app: createApp({ log, readiness, metrics, events, ledger, corsOrigin: config.corsOrigin }) };
});
