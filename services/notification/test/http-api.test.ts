import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { RecentEvents } from '../src/domain/recent-events';
import { createLiveFeed } from '../src/events/live-feed';
import { buildOpenApi } from '../src/http/openapi';

function app(maxClients = 10) {
  const recent = new RecentEvents(100);
  const feed = createLiveFeed(recent);
  const common = serviceDeps('notification', feed.handlers);
  const koa = createApp({
    ...common.deps,
    recent,
    feed,
    stream: { maxBufferedBytes: 64 * 1024, maxQueuedEvents: 100, maxClients, heartbeatMs: 60_000, resumeOverlap: 0 },
    page: { orderApiUrl: 'http://localhost:3000', paymentApiUrl: 'http://localhost:3001', traceUrl: '' },
  });
  return { app: koa, feed, common };
}

describeOpenApi('notification', buildOpenApi, () => app().app, loadConfig({}).port);

/** Reads the stream until it holds `frames` events; returns their data lines, parsed. */
async function readFrames(response: Response, frames: number): Promise<unknown[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const data = () => [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as unknown);
  while (data().length < frames) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  expect(text.startsWith('retry: 1000\n\n')).toBe(true);
  return data();
}

describe('the notification service answers as its document says', () => {
  test('each route, with a 2xx and its 4xx', async () => {
    const { app: koa, feed, common } = app();
    const document = buildOpenApi();
    const served = await serveDocumented(koa, document);
    const { call } = served;
    try {
      expect((await call('GET', '/')).body).toContain('<html');
      expect((await call('GET', '/app.js')).status).toBe(200);
      expect((await call('GET', '/style.css')).status).toBe(200);
      expect((await call('GET', '/config.json')).body).toEqual({ orderApiUrl: 'http://localhost:3000', paymentApiUrl: 'http://localhost:3001', traceUrl: '' });

      // The stream: one event from before the connect (the catch-up) and one after; each frame's data is a FeedEvent.
      const placed = { orderId: 'o-1', customerId: 'c-1', items: [{ sku: 'SKU-1', name: 'Lamp', quantity: 1, unitPrice: 100 }], total: 100 };
      const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
      await feed.handlers['order.placed']!({ id: 'e-1', name: 'order.placed', data: { ...placed, address }, traceparent: undefined });
      const stream = await fetch(`${served.base}/stream?orderId=o-1`);
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      served.answeredWith('GET /stream', 200);
      const frames = readFrames(stream, 2);
      await feed.handlers['product.changed']!({
        id: 'e-2',
        name: 'product.changed',
        data: { sku: 'SKU-1', name: 'Lamp', price: 100, available: 4, version: 2 },
        traceparent: undefined,
      });
      await feed.handlers['order.confirmed']!({ id: 'e-3', name: 'order.confirmed', data: { orderId: 'o-1' }, traceparent: undefined });
      const seen = await frames;
      expect(seen).toMatchObject([
        { id: 'e-1', type: 'eventmart.order.placed.v1', orderId: 'o-1', data: placed },
        { id: 'e-3', type: 'eventmart.order.confirmed.v1', orderId: 'o-1', data: { orderId: 'o-1' } },
      ]);
      for (const frame of seen) served.expectSchema('FeedEvent', frame);
      expect(() => served.expectSchema('FeedEvent', { ...(seen[0] as object), type: 'eventmart.order.lost.v1' })).toThrow(/does not fit FeedEvent/);
      expect((await call('GET', '/stream/stats')).body).toMatchObject({ buffered: 3 });

      await exerciseCommonRoutes(call, document, common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });

  test('a replica serving as many streams as it may answers 503 TOO_MANY_CLIENTS, as documented', async () => {
    const served = await serveDocumented(app(0).app, buildOpenApi());
    try {
      const refused = await served.call('GET', '/stream');
      expect(refused).toMatchObject({ status: 503, body: { error: { code: 'TOO_MANY_CLIENTS' } } });
      expect(refused.headers.get('retry-after')).toBe('5');
    } finally {
      await served.close();
    }
  });
});
