import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildOpenApi } from '../src/http/openapi';
import type { OrderEvent } from '../src/store/order-store';
import { memoryCatalog, memoryViews } from './memory-stores';

function app() {
  const store = memoryEventStreamStore<OrderEvent>('order_events');
  const catalog = memoryCatalog();
  const common = serviceDeps('order', {});
  return { app: createApp({ ...common.deps, store, views: memoryViews(store), catalog, corsOrigin: '*', orderDeadlineMs: 60_000 }), catalog, common };
}

describeOpenApi('order', buildOpenApi, () => app().app, loadConfig({}).port);

describe('the order service answers as its document says', () => {
  test('each route, with a 2xx and its 4xx', async () => {
    const { app: koa, catalog, common } = app();
    await catalog.apply({ sku: 'SKU-1', name: 'Lamp', price: 1_250, available: 5, version: 1 });
    const served = await serveDocumented(koa, buildOpenApi());
    const { call } = served;
    try {
      const order = { customerId: 'c-1', items: [{ sku: 'SKU-1', quantity: 2 }] };
      const placed = await call('POST', '/orders', { body: order, headers: { 'idempotency-key': 'k-1' } });
      expect(placed).toMatchObject({ status: 202, body: { status: 'PENDING' } });
      const { orderId } = placed.body as { orderId: string };
      expect(placed.headers.get('location')).toBe(`/orders/${orderId}`);
      expect((await call('POST', '/orders', { body: order, headers: { 'idempotency-key': 'k-1' } })).body).toEqual({ orderId, status: 'PENDING' });

      expect((await call('POST', '/orders', { body: { customerId: 'c-1', items: [] } })).status).toBe(400);
      expect((await call('POST', '/orders', { body: '{"customerId":' })).body).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
      expect((await call('POST', '/orders', { body: order, headers: { 'idempotency-key': 'k'.repeat(201) } })).status).toBe(400);
      expect((await call('POST', '/orders', { body: { customerId: 'c-1', items: [{ sku: 'SKU-9', quantity: 1 }] } })).body).toMatchObject({
        error: { code: 'UNKNOWN_SKU' },
      });
      await catalog.apply({ sku: 'SKU-1', name: 'Lamp', price: 1_000_000_000, available: 5, version: 2 });
      expect((await call('POST', '/orders', { body: { ...order, items: [{ sku: 'SKU-1', quantity: 3 }] } })).body).toMatchObject({
        error: { code: 'ORDER_NOT_ACCEPTABLE' },
      });

      expect((await call('GET', `/orders/${orderId}`)).body).toMatchObject({ orderId, customerId: 'c-1', status: 'PENDING', total: 2_500 });
      expect((await call('GET', '/orders/nope')).status).toBe(404);
      expect((await call('GET', `/orders/${orderId}/events`)).body).toMatchObject({ events: [{ type: 'order.placed', version: 1 }] });
      expect((await call('GET', '/orders/nope/events')).status).toBe(404);
      expect((await call('GET', '/orders?customerId=c-1')).body).toMatchObject({ orders: [{ orderId }] });
      expect((await call('GET', '/orders')).status).toBe(400);
      // The database fails on a NUL: no id or text holds one, so a request with one (path, query
      // or body) is refused before a route or a store sees it.
      for (const [method, path, body] of [
        ['GET', '/orders?customerId=c%00', undefined],
        ['GET', '/orders/a%00b', undefined],
        ['POST', '/orders', { customerId: 'c\u0000', items: [{ sku: 'SKU-1', quantity: 1 }] }],
      ] as const) {
        const reply = await call(method, path, body === undefined ? {} : { body });
        expect([reply.status, reply.body]).toEqual([400, { error: { code: 'NUL_CHARACTER', message: expect.any(String) } }]);
      }
      expect((await call('GET', '/catalog')).body).toMatchObject({ products: [{ sku: 'SKU-1', version: 2 }] });

      await exerciseCommonRoutes(call, buildOpenApi(), common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
