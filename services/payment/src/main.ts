import { runService } from '@eventmart/shared';
import { createApp } from './app';
import { loadConfig } from './config';
import { createPaymentHandlers } from './events/payment-handlers';
import { createAccountStore } from './store/account-store';

void runService('payment', loadConfig, async ({ config, log, db, publisher, deadLetters, readiness, metrics }) => {
  const accounts = createAccountStore(db);
  const handlers = createPaymentHandlers({ accounts, publisher });
  const events = { appId: 'payment', pubsubName: config.pubsubName, appApiToken: config.appApiToken, topics: ['orders'] as const, handlers, deadLetters };
  return { app: createApp({ log, readiness, metrics, events, accounts }) };
});
