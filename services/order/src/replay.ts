/**
 * `npm run replay`: rebuilds order's read models from the event store. Every view is
 * dropped and written again by folding its stream, so the result is what the events say.
 */
import { createLogger } from '@eventmart/shared/logger';
import { connectMongo } from '@eventmart/shared/mongo';
import { loadConfig } from './config';
import { createOrderStore } from './store/order-store';
import { createOrderViews } from './store/order-views';

async function main() {
  const config = loadConfig();
  const log = createLogger('order-replay', config.logLevel);
  const mongo = await connectMongo(config.mongodbUrl, config.mongodbDb);
  try {
    const store = await createOrderStore(mongo.db);
    const views = await createOrderViews(mongo.db, store);
    await views.clear();
    const orderIds = await store.streamIds();
    for (const orderId of orderIds) await views.project(orderId);
    log.info({ orders: orderIds.length }, 'read models rebuilt from the event store');
  } finally {
    await mongo.client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`replay failed: ${(err as Error).message}\n`);
  process.exit(1);
});
