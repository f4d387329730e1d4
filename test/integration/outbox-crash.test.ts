/**
 * The outbox across crashes, through the real system on each broker:
 *  - a crash between commit and publish: orders are stored while order's sidecar is down
 *    (so nothing is published), the order app is killed with SIGKILL, and when it is back
 *    with its sidecar the sweep at its start publishes what was stored: every order completes,
 *    charged and held once;
 *  - a crash after publish and before the mark: an order's commits are marked unpublished
 *    again (what a lost mark leaves), and the restarted app publishes them again with the same
 *    event ids: every consumer takes the copies for copies (nothing charged, held or pushed
 *    to the page twice).
 */
import { MongoClient } from 'mongodb';
import type { RunningSystem } from '../../scripts/src/runner/system';
import { subscribe } from '../../scripts/src/bench/sse-client';
import { scrape } from '../support/metrics';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually, orderReaches } from '../support/http';

jest.setTimeout(300_000);

/** How many deliveries of `type` the service has answered, by its /metrics. */
const handled = async (url: string, type: string) => (await scrape(url))('eventmart_events_handled_total', { type });

describe.each(BROKERS)('the outbox across crashes on %s', (broker) => {
  let system: RunningSystem;
  let mongo: MongoClient;
  const orderEvents = () => mongo.db('eventmart-order').collection<{ _id: string; stream: string; published?: boolean }>('order_events');

  beforeAll(async () => {
    system = await startTestSystem('outbox-crash', { broker });
    mongo = await new MongoClient(system.mongoUrl).connect();
    const { urls } = system;
    await call('PUT', `${urls.inventory}/products/KETTLE`, { name: 'Kettle', price: 900, available: 10 });
    await call('POST', `${urls.payment}/accounts/erin/deposits`, { amount: 10_000 });
    await eventually('the catalog replica', async () => ((await call('GET', `${urls.order}/catalog`)).body.products.length === 1 ? true : undefined));
  });

  afterAll(async () => {
    await mongo?.close();
    await system?.stop();
  });

  const order = () => system.replicas.find((r) => r.service === 'order')!;

  test('orders committed but not published when the order app is killed are published by its next start: each completes, charged and held once', async () => {
    const { urls, group } = system;
    // No sidecar: every publish fails, so the commits stay unpublished.
    await group.stop('order-dapr');
    const placed = await Promise.all(
      [1, 2, 3].map(() => call('POST', `${urls.order}/orders`, { customerId: 'erin', items: [{ sku: 'KETTLE', quantity: 1 }] })),
    );
    expect(placed.map((r) => r.status)).toEqual([202, 202, 202]);
    const ids: string[] = placed.map((r) => r.body.orderId);
    expect(await orderEvents().countDocuments({ stream: { $in: ids }, published: false })).toBe(3);

    // The crash: SIGKILL, no drain. Then the replica comes back, app and sidecar.
    process.kill(group.list().find((p) => p.name === 'order')!.pid, 'SIGKILL');
    await system.stopReplica(order()); // whatever the runner restarted meanwhile
    await system.startReplica(order());

    for (const id of ids) await orderReaches(urls.order, id, 'DELIVERED', 60_000);
    expect(await orderEvents().countDocuments({ stream: { $in: ids }, published: false })).toBe(0);
    const account = (await call('GET', `${urls.payment}/accounts/erin`)).body;
    const charges = account.transactions.filter((t: { kind: string; orderId?: string }) => t.kind === 'charge' && ids.includes(t.orderId!));
    expect(charges).toHaveLength(3);
    expect((await call('GET', `${urls.inventory}/products/KETTLE`)).body.available).toBe(7);
  });

  test('an order published but not marked is published again with the same ids after a restart, and every consumer applies it once', async () => {
    const { urls } = system;
    const { body } = await call('POST', `${urls.order}/orders`, { customerId: 'erin', items: [{ sku: 'KETTLE', quantity: 1 }] });
    const orderId: string = body.orderId;
    await orderReaches(urls.order, orderId, 'DELIVERED', 60_000);
    const before = {
      account: (await call('GET', `${urls.payment}/accounts/erin`)).body,
      product: (await call('GET', `${urls.inventory}/products/KETTLE`)).body,
      events: (await call('GET', `${urls.order}/orders/${orderId}/events`)).body.events,
      placedOnPayment: await handled(urls.payment, 'order.placed'),
      placedOnInventory: await handled(urls.inventory, 'order.placed'),
      confirmedOnNotification: await handled(urls.notification, 'order.confirmed'),
    };
    // The ids it published (the API shows no ids): order.placed, order.confirmed and the rest.
    const commits = await orderEvents().find({ stream: orderId }).toArray();
    const published = commits.flatMap((commit) =>
      (commit as unknown as { events: Array<{ id: string; name: string; publish?: boolean }> }).events.filter((e) => e.publish),
    );
    const confirmedId = published.find((e) => e.name === 'order.confirmed')!.id;

    // What the page's stream pushes: what it keeps first (the originals among them), then live.
    const pushed: Array<{ id: string; type: string; orderId?: string }> = [];
    const stop = subscribe(urls.notification, (event) => pushed.push({ id: event.id, type: event.type, orderId: event.data.orderId }));
    try {
      // The lost mark: the commits read as unpublished, as if the process died right after publishing.
      const unmarked = await orderEvents().updateMany({ stream: orderId }, { $set: { published: false } });
      expect(unmarked.modifiedCount).toBeGreaterThan(0);
      await system.stopReplica(order());
      await system.startReplica(order());

      await eventually('the sweep to publish and mark them again', async () =>
        (await orderEvents().countDocuments({ stream: orderId, published: false })) === 0 ? true : undefined,
      );
      // Every consumer has answered the copies …
      await eventually('payment, inventory and notification to get the copies', async () =>
        (await handled(urls.payment, 'order.placed')) > before.placedOnPayment &&
        (await handled(urls.inventory, 'order.placed')) > before.placedOnInventory &&
        (await handled(urls.notification, 'order.confirmed')) > before.confirmedOnNotification
          ? true
          : undefined,
      );
      // … and applied nothing: no second charge, no second hold, the order's story unchanged.
      expect((await call('GET', `${urls.payment}/accounts/erin`)).body).toEqual(before.account);
      expect((await call('GET', `${urls.inventory}/products/KETTLE`)).body).toEqual(before.product);
      expect((await call('GET', `${urls.order}/orders/${orderId}/events`)).body.events).toEqual(before.events);
      // The page's stream: a sentinel order's confirmation, pushed after the copies were handled,
      // arrives; by then a copy pushed would have too, and each id is there once (the original).
      const sentinel = (await call('POST', `${urls.order}/orders`, { customerId: 'erin', items: [{ sku: 'KETTLE', quantity: 1 }] })).body.orderId as string;
      await eventually(
        'the sentinel on the page stream',
        async () => (pushed.some((e) => e.orderId === sentinel && e.type.includes('order.confirmed')) ? true : undefined),
        60_000,
      );
      expect(pushed.filter((e) => e.id === confirmedId)).toHaveLength(1);
      for (const { id } of published) expect(pushed.filter((e) => e.id === id).length).toBeLessThanOrEqual(1);
    } finally {
      stop();
    }
  });
});
