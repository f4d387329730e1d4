/**
 * No oversell under competition: two inventory replicas (the same app id, so they share
 * the work) handle a burst of orders for a product with little stock, through the real
 * sidecars and broker. Exactly the stock is sold, and stock never goes below zero.
 */
import type { RunningSystem } from '../../scripts/src/runner/system';
import { scrape } from '../support/metrics';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually } from '../support/http';

jest.setTimeout(240_000);

const STOCK = 5;
const ORDERS = 14;

describe.each(BROKERS)('no oversell with two inventory replicas on %s', (broker) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startTestSystem('no-oversell', { broker, scale: { inventory: 2 } });
  });

  afterAll(async () => {
    await system?.stop();
  });

  test(`${ORDERS} orders for ${STOCK} in stock: ${STOCK} confirmed, the rest rejected, stock 0`, async () => {
    const { urls, replicas } = system;
    expect(replicas.filter((r) => r.service === 'inventory')).toHaveLength(2);
    await call('PUT', `${urls.inventory}/products/SEAT`, { name: 'Concert seat', price: 100, available: STOCK });
    await call('PUT', `${urls.inventory}/products/WARMUP`, { name: 'Warm-up', price: 1, available: 10_000 });
    await call('POST', `${urls.payment}/accounts/fan/deposits`, { amount: 1_000_000 });
    await eventually('the catalog replica', async () => ((await call('GET', `${urls.order}/catalog`)).body.products.length === 2 ? true : undefined));

    // A Kafka consumer group takes a few seconds to give the second replica its partitions:
    // until both replicas handle orders, there is no competition to test.
    const inventories = replicas.filter((r) => r.service === 'inventory');
    const handledPlaced = async (url: string) => (await scrape(url))('eventmart_events_handled_total', { type: 'order.placed' }) > 0;
    await eventually(
      'both inventory replicas to handle orders',
      async () => {
        await call('POST', `${urls.order}/orders`, { customerId: 'fan', items: [{ sku: 'WARMUP', quantity: 1 }] });
        const both = await Promise.all(inventories.map((r) => handledPlaced(r.url)));
        return both.every(Boolean) ? true : undefined;
      },
      60_000,
    );

    const placed = await Promise.all(
      Array.from({ length: ORDERS }, () => call('POST', `${urls.order}/orders`, { customerId: 'fan', items: [{ sku: 'SEAT', quantity: 1 }] })),
    );
    expect(placed.every((r) => r.status === 202)).toBe(true);

    const statuses = await eventually(
      'every order to settle',
      async () => {
        const all = await Promise.all(placed.map((r) => call('GET', `${urls.order}/orders/${r.body.orderId}`)));
        const settled = all.map((r) => r.body.status);
        return settled.every((s) => s === 'CONFIRMED' || s === 'DELIVERED' || s === 'CANCELLED') ? settled : undefined;
      },
      90_000,
    );

    const sold = statuses.filter((s) => s !== 'CANCELLED').length;
    expect(sold).toBe(STOCK);
    expect((await call('GET', `${urls.inventory}/products/SEAT`)).body.available).toBe(0);
  });
});
