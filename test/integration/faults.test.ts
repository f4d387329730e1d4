/**
 * Failure, through the real system on each broker: a consumer that is down loses nothing,
 * and a notification replica that restarts misses nothing of the live feed.
 * Payment is stopped (app and sidecar, as a crash or a scale-to-zero would); orders placed
 * meanwhile wait, the rest of the shop goes on, and when payment is back every order
 * completes, charged exactly once.
 */
import { subscribe } from '../../scripts/src/bench/sse-client';
import type { RunningSystem } from '../../scripts/src/runner/system';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually, orderReaches } from '../support/http';

jest.setTimeout(240_000);

describe.each(BROKERS)('a consumer down on %s', (broker) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startTestSystem('faults', { broker });
  });

  afterAll(async () => {
    await system?.stop();
  });

  test('orders placed while payment is down complete once it is back, each charged once', async () => {
    const { urls } = system;
    await call('PUT', `${urls.inventory}/products/LAMP`, { name: 'Lamp', price: 700, available: 10 });
    await call('POST', `${urls.payment}/accounts/dora/deposits`, { amount: 10_000 });
    await eventually('the catalog replica', async () => ((await call('GET', `${urls.order}/catalog`)).body.products.length === 1 ? true : undefined));

    const payment = system.replicas.find((r) => r.service === 'payment')!;
    // SIGTERM drains and exits 0: not ready, HTTP drained, clients closed (services/shared/src/lifecycle.ts).
    expect(await system.stopReplica(payment)).toEqual({ sidecar: 0, app: 0 });

    const placed = await Promise.all([1, 2, 3].map(() => call('POST', `${urls.order}/orders`, { customerId: 'dora', items: [{ sku: 'LAMP', quantity: 1 }] })));
    expect(placed.map((r) => r.status)).toEqual([202, 202, 202]);
    const ids: string[] = placed.map((r) => r.body.orderId);

    // The rest goes on: inventory reserves, and the orders wait for payment, PENDING.
    await eventually('inventory to reserve every order', async () => {
      const streams = await Promise.all(
        ids.map(async (id) => (await call('GET', `${urls.order}/orders/${id}/events`)).body.events.map((e: { type: string }) => e.type)),
      );
      return streams.every((types) => types.includes('stock.reserved')) ? true : undefined;
    });
    for (const id of ids) expect((await call('GET', `${urls.order}/orders/${id}`)).body.status).toBe('PENDING');
    expect((await call('GET', `${urls.inventory}/products/LAMP`)).body.available).toBe(7);

    await system.startReplica(payment);
    for (const id of ids) await orderReaches(urls.order, id, 'DELIVERED', 60_000);
    const account = (await call('GET', `${urls.payment}/accounts/dora`)).body;
    expect(account.transactions.filter((t: { kind: string }) => t.kind === 'charge')).toHaveLength(3);
    expect(account.balance).toBe(10_000 - 3 * 700);
  });

  test('a notification replica that restarts gets what was published while it was down: no silent gap in the live feed', async () => {
    const { urls } = system;
    const notification = system.replicas.find((r) => r.service === 'notification')!;
    /** Whether a client that connects now gets `price` in the buffer it is sent first (within a second). */
    const buffered = async (price: number) => {
      let seen = false;
      const stop = subscribe(urls.notification, (event) => (seen ||= (event.data as { price?: number }).price === price));
      for (let waited = 0; !seen && waited < 1_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      stop();
      return seen ? true : undefined;
    };
    // First the replica's subscription must have started: on Kafka a replica's group resumes from
    // what it committed, and a group that never received a message of the partition starts at its
    // head (docs/realtime.md). A change made before it joined never comes, so make them until one does.
    let price = 800;
    await eventually('the live feed to carry a change', async () => {
      await call('PUT', `${urls.inventory}/products/LAMP`, { name: 'Lamp', price: ++price, available: 7 });
      return buffered(price);
    });
    await system.stopReplica(notification);
    // Published while notification and its sidecar are down.
    await call('PUT', `${urls.inventory}/products/LAMP`, { name: 'Lamp', price: 750, available: 7 });
    await system.startReplica(notification);
    // A browser that connects now gets the buffer whole: the change must be in it.
    await eventually('the change made while notification was down to reach its buffer', () => buffered(750));
  });
});
