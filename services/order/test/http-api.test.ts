import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildOpenApi } from '../src/http/openapi';
import type { CatalogEntry, CatalogStore } from '../src/store/catalog-store';
import type { OrderEvent } from '../src/store/order-store';
import { toView, type OrderView, type OrderViews } from '../src/store/order-views';

/** The catalog replica in memory: the newest version of each sku. */
function memoryCatalog(): CatalogStore {
  const entries = new Map<string, CatalogEntry>();
  return {
    async apply(product) {
      if ((entries.get(product.sku)?.version ?? 0) < product.version) entries.set(product.sku, product);
    },
    async find(skus) {
      return new Map(skus.flatMap((sku) => (entries.has(sku) ? [[sku, entries.get(sku)!] as const] : [])));
    },
    async all() {
      return [...entries.values()];
    },
  };
}

/** The read model in memory, projected from the stream as the MongoDB one is. */
function memoryViews(store: ReturnType<typeof memoryEventStreamStore<OrderEvent>>): OrderViews {
  const views = new Map<string, OrderView>();
  return {
    async project(orderId, known) {
      views.set(orderId, toView(known ?? (await store.read(orderId)).events));
    },
    async get(orderId) {
      return views.get(orderId);
    },
    async byCustomer(customerId, limit) {
      return [...views.values()].filter((view) => view.customerId === customerId).slice(0, limit);
    },
    async all() {
      return [...views.values()];
    },
    async clear() {
      views.clear();
    },
  };
}

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
      expect((await call('GET', '/catalog')).body).toMatchObject({ products: [{ sku: 'SKU-1', version: 2 }] });

      await exerciseCommonRoutes(call, buildOpenApi(), common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
