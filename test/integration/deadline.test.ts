/**
 * The saga's deadline, through the real system on each broker: an order that payment never
 * answers (payment is down) is cancelled when its deadline passes, its stock comes back, and
 * when payment returns the late charge is refunded; an order that completed in time stays as it is.
 */
import type { RunningSystem } from '../../scripts/src/runner/system';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually, orderReaches } from '../support/http';

jest.setTimeout(240_000);

const DEADLINE_MS = 4_000;

describe.each(BROKERS)('the saga deadline on %s', (broker) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startTestSystem('deadline', { broker, env: { order: { ORDER_DEADLINE_MS: String(DEADLINE_MS) } } });
    const { urls } = system;
    await call('PUT', `${urls.inventory}/products/STOOL`, { name: 'Stool', price: 900, available: 5 });
    await call('POST', `${urls.payment}/accounts/erin/deposits`, { amount: 10_000 });
    await eventually('the catalog replica', async () => ((await call('GET', `${urls.order}/catalog`)).body.products.length === 1 ? true : undefined));
  });

  afterAll(async () => {
    await system?.stop();
  });

  test('an order that completed before its deadline stays delivered after it', async () => {
    const { urls } = system;
    const { body } = await call('POST', `${urls.order}/orders`, { customerId: 'erin', items: [{ sku: 'STOOL', quantity: 1 }] });
    await orderReaches(urls.order, body.orderId, 'DELIVERED');
    await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS + 2_000));
    expect((await call('GET', `${urls.order}/orders/${body.orderId}`)).body.status).toBe('DELIVERED');
    await eventually('the stock to settle at 4', async () => ((await call('GET', `${urls.inventory}/products/STOOL`)).body.available === 4 ? true : undefined));
  });

  test('an order payment never answers is cancelled at its deadline, its stock released, and the late charge refunded', async () => {
    const { urls } = system;
    const payment = system.replicas.find((r) => r.service === 'payment')!;
    // Not its exit codes (faults.test.ts checks the drain): on Kafka a sidecar stopped after it
    // handled a whole order overruns daprd's 5 s graceful shutdown and exits 1, with or without
    // this project's resiliency and health-check settings (measured here: 5 runs of 5).
    await system.stopReplica(payment);

    const { body } = await call('POST', `${urls.order}/orders`, { customerId: 'erin', items: [{ sku: 'STOOL', quantity: 2 }] });
    const cancelled = await orderReaches(urls.order, body.orderId, 'CANCELLED', 60_000);
    expect(cancelled.reason).toBe(`deadline passed: no answer from payment within ${DEADLINE_MS / 1000} s`);
    await eventually('the stool stock to come back', async () =>
      (await call('GET', `${urls.inventory}/products/STOOL`)).body.available === 4 ? true : undefined,
    );

    // Payment comes back and reads order.placed, then order.cancelled: whatever it charged, it refunds.
    await system.startReplica(payment);
    await eventually(
      'the late charge, if any, to be refunded',
      async () => {
        const account = (await call('GET', `${urls.payment}/accounts/erin`)).body;
        const mine = account.transactions.filter((t: { orderId?: string }) => t.orderId === body.orderId);
        const net = mine.reduce((sum: number, t: { kind: string; amount: number }) => sum + (t.kind === 'charge' ? -t.amount : t.amount), 0);
        return net === 0 && account.balance === 10_000 - 900 ? true : undefined;
      },
      60_000,
    );
    expect((await call('GET', `${urls.order}/orders/${body.orderId}`)).body.status).toBe('CANCELLED');
    for (const service of ['payment', 'inventory', 'order'] as const) {
      const { body } = await call('GET', `${urls[service]}/deadletters`, undefined, { headers: { authorization: `Bearer ${system.adminToken}` } });
      expect({ service, letters: body.deadLetters }).toEqual({ service, letters: [] });
    }
  });
});
