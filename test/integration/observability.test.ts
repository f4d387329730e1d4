/**
 * Seeing every order, on each broker. Traces: with tracing on (a real Jaeger, sampling 1), an
 * order placed over HTTP and followed to DELIVERED leaves one trace in Jaeger that holds the
 * request, every relay's publish, every service's handling (payment, inventory, shipping,
 * notification and the saga's reactions in order), the courier's steps, the push to an open
 * SSE client and the sidecars' own spans, each joined to its parent: one root, no orphan.
 * Metrics: after a known batch of orders, every service's /metrics counts it.
 */
import type { RunningSystem } from '../../scripts/src/runner/system';
import { BROKERS, startTestSystem } from '../support/system';
import { call, eventually, orderReaches } from '../support/http';
import { dashboardMetrics, scrape, type Metrics } from '../support/metrics';

jest.setTimeout(180_000);

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; spanID: string }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** What each service must show in the order's trace (operation names as the services set them). */
const EXPECTED: Record<string, string[]> = {
  order: [
    'POST /orders',
    'order.placed publish',
    'payment.succeeded process',
    'stock.reserved process',
    'order.confirmed publish',
    'shipment.dispatched process',
    'shipment.delivered process',
  ],
  payment: ['order.placed process', 'payment.succeeded publish'],
  inventory: ['order.placed process', 'stock.reserved publish'],
  shipping: ['order.confirmed process', 'courier step', 'shipment.dispatched publish', 'shipment.delivered publish'],
  notification: ['order.placed process', 'order.confirmed process', 'order.confirmed push', 'shipment.delivered push'],
};

describe.each(BROKERS)('tracing on %s', (broker) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startTestSystem('observability', { broker, tracing: { sampling: 1 } });
    await call('PUT', `${system.urls.inventory}/products/A`, { name: 'Product A', price: 1000, available: 10 });
    await call('POST', `${system.urls.payment}/accounts/alice/deposits`, { amount: 10_000 });
    await eventually('the catalog replica', async () => ((await call('GET', `${system.urls.order}/catalog`)).body.products.length === 1 ? true : undefined));
    // notification's broadcast subscription starts at the newest offset once it has joined:
    // nudge the product until it hears, so that the order's first fact reaches it too.
    let available = 10;
    await eventually(
      'notification to hear product.changed',
      async () => {
        if ((await call('GET', `${system.urls.notification}/stream/stats`)).body.buffered > 0) return true;
        await call('PUT', `${system.urls.inventory}/products/A`, { name: 'Product A', price: 1000, available: ++available });
        await new Promise((resolve) => setTimeout(resolve, 400));
        return undefined;
      },
      60_000,
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  test('an order placed and delivered is one connected trace across all five services', async () => {
    // An open page: the facts are pushed to it, and that push is the last hop of the trace.
    const page = new AbortController();
    const stream = await fetch(`${system.urls.notification}/stream`, { signal: page.signal });
    expect(stream.status).toBe(200);
    try {
      const placed = await call('POST', `${system.urls.order}/orders`, { customerId: 'alice', items: [{ sku: 'A', quantity: 1 }], address: ADDRESS });
      expect(placed.status).toBe(202);
      const order = await orderReaches(system.urls.order, placed.body.orderId, 'DELIVERED');
      expect(order.traceId).toMatch(/^[0-9a-f]{32}$/);

      // Spans reach Jaeger in batches (the services' every second, the sidecars' every 5 s): wait
      // until every expected span is there and every span's parent too (one trace, no orphan).
      const name = (trace: JaegerTrace, span: JaegerSpan) => `${trace.processes[span.processID]!.serviceName}: ${span.operationName}`;
      const parentOf = (span: JaegerSpan) => span.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
      const problems = (trace: JaegerTrace) => {
        const seen = new Set(trace.spans.map((span) => name(trace, span)));
        const ids = new Set(trace.spans.map((span) => span.spanID));
        const missing = Object.entries(EXPECTED).flatMap(([service, operations]) =>
          operations.map((op) => `${service}: ${op}`).filter((want) => !seen.has(want)),
        );
        const orphans = trace.spans.filter((span) => parentOf(span) !== undefined && !ids.has(parentOf(span)!)).map((span) => `orphan ${name(trace, span)}`);
        return [...missing.map((want) => `missing ${want}`), ...orphans];
      };
      let last: string[] = [];
      const trace = await eventually(
        'the whole order trace in Jaeger',
        async () => {
          const reply = await call<{ data: JaegerTrace[] }>('GET', `${system.traces!.ui}/api/traces/${order.traceId}`);
          const found = reply.status === 200 ? reply.body.data[0] : undefined;
          last = found ? problems(found) : ['no trace yet'];
          return found && last.length === 0 ? found : undefined;
        },
        60_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}: ${last.join(', ')}`);
      });

      // The request that placed the order is the trace's only root.
      const roots = trace.spans.filter((span) => parentOf(span) === undefined);
      expect(roots.map((span) => name(trace, span))).toEqual(['order: POST /orders']);
      // The sidecars report into the same trace: the broker hops are in it, not only the apps.
      expect(trace.spans.length).toBeGreaterThan(Object.values(EXPECTED).flat().length);
    } finally {
      page.abort();
    }
  });

  test('every service counts a known batch of orders on /metrics', async () => {
    const BATCH = 3;
    const readAll = async () =>
      Object.fromEntries(await Promise.all(Object.entries(system.urls).map(async ([s, url]) => [s, await scrape(url)]))) as Record<string, Metrics>;
    const page = new AbortController();
    await fetch(`${system.urls.notification}/stream`, { signal: page.signal });
    try {
      const before = await readAll();
      const placed = [];
      for (let i = 0; i < BATCH; i++)
        placed.push(await call('POST', `${system.urls.order}/orders`, { customerId: 'alice', items: [{ sku: 'A', quantity: 1 }], address: ADDRESS }));
      for (const { body } of placed) await orderReaches(system.urls.order, body.orderId, 'DELIVERED');

      // The counts settle once the last facts are handled (notification hears order.delivered last).
      const delta = (after: Record<string, Metrics>, service: string, name: string, labels?: Record<string, string>) =>
        after[service]!(name, labels) - before[service]!(name, labels);
      const after = await eventually('every count to settle', async () => {
        const now = await readAll();
        return delta(now, 'notification', 'eventmart_events_handled_total', { type: 'order.delivered', status: 'SUCCESS' }) >= BATCH ? now : undefined;
      });
      // Published: exactly once per order and fact.
      expect(delta(after, 'order', 'eventmart_events_published_total', { type: 'order.placed' })).toBe(BATCH);
      expect(delta(after, 'order', 'eventmart_events_published_total', { type: 'order.delivered' })).toBe(BATCH);
      expect(delta(after, 'payment', 'eventmart_events_published_total', { type: 'payment.succeeded' })).toBe(BATCH);
      expect(delta(after, 'inventory', 'eventmart_events_published_total', { type: 'stock.reserved' })).toBe(BATCH);
      expect(delta(after, 'shipping', 'eventmart_events_published_total', { type: 'shipment.delivered' })).toBe(BATCH);
      // Handled: at least once (a redelivery is answered too), each with its duration.
      for (const [service, type] of [
        ['payment', 'order.placed'],
        ['inventory', 'order.placed'],
        ['shipping', 'order.confirmed'],
        ['order', 'shipment.delivered'],
      ] as const) {
        expect({ service, type, handled: delta(after, service, 'eventmart_events_handled_total', { type, status: 'SUCCESS' }) >= BATCH }).toEqual({
          service,
          type,
          handled: true,
        });
        expect(delta(after, service, 'eventmart_event_handling_seconds_count', { type })).toBe(
          delta(after, service, 'eventmart_events_handled_total', { type }),
        );
      }
      // Nothing held back, nothing dead-lettered, one page open, and the database did the work.
      for (const service of ['order', 'payment', 'inventory', 'shipping'])
        expect({ service, backlog: after[service]!('eventmart_outbox_backlog'), lag: after[service]!('eventmart_outbox_lag_seconds') }).toEqual({
          service,
          backlog: 0,
          lag: 0,
        });
      for (const service of Object.keys(system.urls))
        expect({ service, waiting: after[service]!('eventmart_dead_letters', { state: 'waiting' }) }).toEqual({ service, waiting: 0 });
      expect(after.notification!('eventmart_sse_clients')).toBe(1);
      expect({ cutOff: after.notification!('eventmart_sse_cut_off_total'), refused: after.notification!('eventmart_sse_refused_total') }).toEqual({
        cutOff: 0,
        refused: 0,
      });
      // Every series the Grafana dashboard draws is one a service serves.
      const drawn = dashboardMetrics();
      expect(drawn.length).toBeGreaterThan(5);
      for (const name of drawn) expect({ name, served: Object.values(after).some((metrics) => !Number.isNaN(metrics(name))) }).toEqual({ name, served: true });
      expect(delta(after, 'order', 'eventmart_db_commands_total')).toBeGreaterThan(0);
    } finally {
      page.abort();
    }
  });
});

const ADDRESS = { name: 'Alice', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
