/**
 * The order flow through the real system: real daprd sidecars, the real broker (each
 * test runs on Kafka and on RabbitMQ) and FerretDB. A product is put, money deposited,
 * orders placed, and each order's status moves because the other services answered.
 */
import fc from 'fast-check';
import type { RunningSystem } from '../../scripts/src/runner/system';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually, orderReaches } from '../support/http';
import { badRequests, canBeBad, readOperations, type FuzzRequest } from '../support/fuzz';
import { badEvents, type BadEvent } from '../support/bad-events';
import type { ServiceName } from '../../scripts/src/runner/ports';
import { scrape } from '../support/metrics';
import { allDeadLetters } from '../../scripts/src/tools/dlq';

jest.setTimeout(180_000);

const SERVICES = ['order', 'payment', 'inventory', 'shipping', 'notification'] as const;
const FUZZ_RUNS = 1000;
const BAD_EVENTS = 60;

/** Sends a generated request as it is (its target percent-encoded on purpose); a stream is cut at its headers. */
async function send(base: string, { method, target, headers, body }: FuzzRequest) {
  const abort = new AbortController();
  const timeout = setTimeout(() => abort.abort(), 5_000);
  try {
    const response = await fetch(`${base}${target}`, { method, headers, body, signal: abort.signal });
    const type = response.headers.get('content-type')?.split(';')[0];
    if (type === 'text/event-stream') {
      abort.abort();
      return { status: response.status, type, text: '' };
    }
    return { status: response.status, type, text: await response.text() };
  } finally {
    clearTimeout(timeout);
  }
}

describe.each(BROKERS)('order flow on %s', (broker) => {
  let system: RunningSystem;
  let urls: RunningSystem['urls'];

  beforeAll(async () => {
    system = await startTestSystem('order-flow', { broker });
    urls = system.urls;
    await call('PUT', `${urls.inventory}/products/MUG`, { name: 'Mug', price: 1250, available: 3 });
    await call('PUT', `${urls.inventory}/products/PEN`, { name: 'Pen', price: 300, available: 1 });
    await call('POST', `${urls.payment}/accounts/rich/deposits`, { amount: 100_000 });
    // The order service prices from its catalog replica, fed by product.changed.
    await eventually('the catalog replica to know both products', async () => {
      const { body } = await call('GET', `${urls.order}/catalog`);
      return body.products.length === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** What the API shows of the state the fuzzed requests could touch. */
  const snapshot = () =>
    Promise.all([
      call('GET', `${urls.inventory}/products`),
      call('GET', `${urls.order}/catalog`),
      call('GET', `${urls.payment}/accounts/rich`),
      call('GET', `${urls.order}/orders?customerId=rich`),
      ...SERVICES.map((service) => call('GET', `${urls[service]}/deadletters`, undefined, { headers: { Authorization: `Bearer ${system.adminToken}` } })),
    ]);

  // First, while nothing is in flight: any change of state during it is one a rejected request made.
  test('bad requests to every public route, generated from the OpenAPI documents, are 4xx with a JSON error, change nothing and crash nothing', async () => {
    const seed = Number(process.env.EVENTMART_FUZZ_SEED ?? Date.now() % 2 ** 31);
    // The ids the requests use where a valid one is needed (so that only the wrong part decides), and whose state is watched.
    const known = { sku: 'MUG', customerId: 'rich' };
    const before = await snapshot();
    // Each a real view (not the same error twice): else "unchanged" would prove nothing.
    expect(before.map((reply) => reply.status)).toEqual(before.map(() => 200));
    await Promise.all(
      SERVICES.map(async (service) => {
        const operations = readOperations(service).filter(canBeBad);
        const requests = fc.oneof(...operations.map((op) => badRequests(op, known, system.adminToken)));
        await fc.assert(
          fc.asyncProperty(requests, async (request) => {
            const reply = await send(urls[service], request);
            // GET /stream has no wrong filter: any orderId or event id is one that matches nothing yet.
            if (request.target.startsWith('/stream') && reply.status === 200) return expect(reply.type).toBe('text/event-stream');
            expect(reply.status).toBeGreaterThanOrEqual(400);
            expect(reply.status).toBeLessThan(500);
            // An unknown id answers 404 only when the id is what was broken: a body, query or token
            // is judged before a lookup, or a wrong one behind an unknown id would go unseen.
            if (!request.broken.startsWith('path:'))
              expect({ broken: request.broken, status: reply.status }).not.toEqual({ broken: request.broken, status: 404 });
            expect(JSON.parse(reply.text)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
          }),
          { numRuns: FUZZ_RUNS, seed },
        );
      }),
    );
    for (const service of SERVICES) expect((await call('GET', `${urls[service]}/healthz`)).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  // Second, still with nothing in flight: the dead letters hold only what this test sends.
  test('bad events, generated from the event catalog and published through real sidecars, each reach the dead letters of exactly the apps that read them, change nothing and crash nothing', async () => {
    const seed = Number(process.env.EVENTMART_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const known = { sku: 'MUG', customerId: 'rich' };
    // Every page: a page holds about 1 MB of letters, and oversized ones are 300–600 kB each.
    const lettersOf = (service: ServiceName) => allDeadLetters(urls[service], system.adminToken);
    const before = new Map(await Promise.all(SERVICES.map(async (s) => [s, new Set((await lettersOf(s)).map((l) => l.id))] as const)));
    const state = (await snapshot()).slice(0, 4);
    const sent: BadEvent[] = fc.sample(badEvents(known), { numRuns: BAD_EVENTS, seed }).map((event, n) => ({ ...event, id: `bad-${broker}-${seed}-${n}` }));
    for (const event of sent) {
      const sidecar = system.replicas.find((r) => r.service === event.publisher)!;
      const metadata = new URLSearchParams({
        'metadata.cloudevent.id': event.id,
        'metadata.cloudevent.type': event.type,
        'metadata.cloudevent.source': event.source,
      });
      const published = await fetch(`http://127.0.0.1:${sidecar.daprHttpPort}/v1.0/publish/pubsub/${event.topic}?${metadata}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dapr-api-token': system.daprApiTokens[event.publisher] },
        body: JSON.stringify(event.data),
      });
      expect({ kind: event.kind, status: published.status, text: await published.text() }).toEqual({ kind: event.kind, status: 204, text: '' });
    }

    const expected = sent.flatMap((event) => event.droppers.map((app) => `${app} ${event.id}`)).sort();
    const arrived = async () =>
      (await Promise.all(SERVICES.map(async (s) => (await lettersOf(s)).filter((l) => !before.get(s)!.has(l.id)).map((l) => ({ app: s, ...l }))))).flat();
    // Counted on /metrics while they arrive (the lists hold oversized letters), then listed once.
    const stored = async (s: ServiceName) => (await scrape(urls[s]))('eventmart_dead_letters');
    const expectedOf = (s: ServiceName) => expected.filter((line) => line.startsWith(`${s} `)).length;
    // On a timeout the comparison below names what is missing.
    await eventually(
      `${expected.length} dead letters`,
      async () => ((await Promise.all(SERVICES.map(async (s) => (await stored(s)) >= before.get(s)!.size + expectedOf(s)))).every(Boolean) ? true : undefined),
      120_000,
    ).catch(() => undefined);
    const letters = await arrived();
    // Exactly the expected ones (none other dropped what it should have handled or ignored), each as sent.
    expect(letters.map((l) => `${l.app} ${l.id}`).sort()).toEqual(expected);
    for (const letter of letters) {
      const event = sent.find((e) => e.id === letter.id)!;
      expect({ type: letter.type, data: letter.data }).toEqual({ type: event.type, data: event.data });
    }
    for (const service of SERVICES) expect((await call('GET', `${urls[service]}/healthz`)).status).toBe(200);
    expect((await snapshot()).slice(0, 4)).toEqual(state);
  });

  test('an order with stock and funds is confirmed, shipped and delivered', async () => {
    const placed = await call('POST', `${urls.order}/orders`, { customerId: 'rich', items: [{ sku: 'MUG', quantity: 2 }] });
    expect(placed.status).toBe(202);
    expect(placed.body.status).toBe('PENDING');
    const { orderId } = placed.body;

    const confirmed = await orderReaches(urls.order, orderId, 'CONFIRMED');
    expect(confirmed).toMatchObject({ customerId: 'rich', total: 2500, items: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 1250 }] });
    await orderReaches(urls.order, orderId, 'DELIVERED');

    expect((await call('GET', `${urls.inventory}/products/MUG`)).body.available).toBe(1);
    expect((await call('GET', `${urls.payment}/accounts/rich`)).body.balance).toBe(100_000 - 2500);
    const { body } = await call('GET', `${urls.order}/orders/${orderId}/events`);
    const types = body.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('order.placed');
    expect(types).toEqual(expect.arrayContaining(['stock.reserved', 'payment.succeeded', 'order.confirmed', 'order.shipped', 'order.delivered']));
  });

  test('an order for more than the stock is cancelled because inventory rejected it, and refunded', async () => {
    const { body } = await call('POST', `${urls.order}/orders`, { customerId: 'rich', items: [{ sku: 'PEN', quantity: 5 }] });
    const cancelled = await orderReaches(urls.order, body.orderId, 'CANCELLED');
    expect(cancelled.reason).toMatch(/out of stock/);
    expect((await call('GET', `${urls.inventory}/products/PEN`)).body.available).toBe(1);
    // Payment may have charged before the rejection arrived: then it refunds.
    await eventually('the balance to be whole again', async () => {
      const account = (await call('GET', `${urls.payment}/accounts/rich`)).body;
      const charged = account.transactions.filter((t: { orderId?: string }) => t.orderId === body.orderId);
      const net = charged.reduce((sum: number, t: { kind: string; amount: number }) => sum + (t.kind === 'charge' ? -t.amount : t.amount), 0);
      return net === 0 ? true : undefined;
    });
  });

  test('an order without the funds is cancelled, and its stock is released', async () => {
    const { body } = await call('POST', `${urls.order}/orders`, { customerId: 'poor', items: [{ sku: 'PEN', quantity: 1 }] });
    const cancelled = await orderReaches(urls.order, body.orderId, 'CANCELLED');
    expect(cancelled.reason).toMatch(/insufficient funds/);
    await eventually('the pen to be back in stock', async () =>
      (await call('GET', `${urls.inventory}/products/PEN`)).body.available === 1 ? true : undefined,
    );
  });

  test('the same Idempotency-Key gives the same order, not a second one', async () => {
    const request = { customerId: 'rich', items: [{ sku: 'MUG', quantity: 1 }] };
    const first = await call('POST', `${urls.order}/orders`, request, { headers: { 'Idempotency-Key': 'k-1' } });
    const second = await call('POST', `${urls.order}/orders`, request, { headers: { 'Idempotency-Key': 'k-1' } });
    expect(second.status).toBe(202);
    expect(second.body.orderId).toBe(first.body.orderId);
    const { body } = await call('GET', `${urls.order}/orders?customerId=rich`);
    expect(body.orders.filter((o: { orderId: string }) => o.orderId === first.body.orderId)).toHaveLength(1);
  });

  test('an unknown sku is refused with 422 UNKNOWN_SKU', async () => {
    const { status, body } = await call('POST', `${urls.order}/orders`, { customerId: 'rich', items: [{ sku: 'NOPE', quantity: 1 }] });
    expect(status).toBe(422);
    expect(body.error.code).toBe('UNKNOWN_SKU');
  });

  test('one sku on two lines is refused with 422 before anything is charged or held', async () => {
    const line = { sku: 'MUG', quantity: 1 };
    const { status, body } = await call('POST', `${urls.order}/orders`, { customerId: 'rich', items: [line, line] });
    expect(status).toBe(422);
    expect(body.error).toEqual({ code: 'ORDER_NOT_ACCEPTABLE', message: expect.stringContaining('sku MUG more than once') });
  });

  test.each([
    ['malformed JSON', '{"customerId": "c-1", items: ['],
    ['a missing field', { items: [{ sku: 'MUG', quantity: 1 }] }],
    ['a wrong type', { customerId: 'c-1', items: [{ sku: 'MUG', quantity: 'two' }] }],
    ['no items', { customerId: 'c-1', items: [] }],
    ['a negative quantity', { customerId: 'c-1', items: [{ sku: 'MUG', quantity: -1 }] }],
    ['an unexpected field', { customerId: 'c-1', items: [{ sku: 'MUG', quantity: 1 }], coupon: 'FREE' }],
  ])('POST /orders with %s is a 400 with a JSON error', async (_, body) => {
    const reply = await call('POST', `${urls.order}/orders`, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
  });

  test.each([
    ['malformed JSON', '{"name": "Mug",'],
    ['a missing field', { name: 'Mug', price: 100 }],
    ['a wrong type', { name: 'Mug', price: '12.50', available: 1 }],
    ['a fractional price', { name: 'Mug', price: 12.5, available: 1 }],
    ['negative stock', { name: 'Mug', price: 100, available: -1 }],
  ])('PUT /products/{sku} with %s is a 400 with a JSON error', async (_, body) => {
    const reply = await call('PUT', `${urls.inventory}/products/MUG`, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
  });

  test('PUT /products/{sku} with If-Match applies only on the version read: a stale one is a 412 and changes nothing', async () => {
    const cup = `${urls.inventory}/products/CUP`;
    await call('PUT', cup, { name: 'Cup', price: 500, available: 5 });
    const read = await fetch(cup);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe(`"${(await read.json()).version}"`);
    await call('PUT', cup, { name: 'Cup', price: 500, available: 4 }); // another change since the read
    const stale = await call('PUT', cup, { name: 'Cup', price: 600, available: 5 }, { headers: { 'If-Match': etag } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('VERSION_MISMATCH');
    expect((await call('GET', cup)).body).toMatchObject({ price: 500, available: 4 });
    const current = (await fetch(cup)).headers.get('etag')!;
    const fresh = await call('PUT', cup, { name: 'Cup', price: 600, available: 4 }, { headers: { 'If-Match': current } });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ price: 600, available: 4 });
    expect((await call('PUT', cup, { name: 'Cup', price: 600, available: 4 }, { headers: { 'If-Match': 'yesterday' } })).body.error.code).toBe(
      'INVALID_IF_MATCH',
    );
  });

  test('an unknown order is a 404 ORDER_NOT_FOUND', async () => {
    const { status, body } = await call('GET', `${urls.order}/orders/does-not-exist`);
    expect(status).toBe(404);
    expect(body.error.code).toBe('ORDER_NOT_FOUND');
  });
});
