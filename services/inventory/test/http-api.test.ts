import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { StockEvent } from '../src/domain/stock';
import { buildOpenApi } from '../src/http/openapi';
import { createProductStore } from '../src/store/product-store';

function app() {
  const products = createProductStore(memoryEventStreamStore<StockEvent>('stock_events'));
  const common = serviceDeps('inventory', {});
  return { app: createApp({ ...common.deps, products }), products, common };
}

describeOpenApi('inventory', buildOpenApi, () => app().app, loadConfig({}).port);

describe('the inventory service answers as its document says', () => {
  test('each route, with a 2xx and its 4xx', async () => {
    const { app: koa, products, common } = app();
    const served = await serveDocumented(koa, buildOpenApi());
    const { call } = served;
    try {
      const lamp = { name: 'Lamp', price: 1_250, available: 5 };
      const put = await call('PUT', '/products/SKU-1', { body: lamp });
      expect(put).toMatchObject({ status: 200, body: { sku: 'SKU-1', ...lamp, version: 1 } });
      expect(put.headers.get('etag')).toBe('"1"');
      expect((await call('PUT', '/products/SKU-1', { body: { ...lamp, available: 4 }, headers: { 'if-match': '"1"' } })).body).toMatchObject({ version: 2 });
      expect((await call('PUT', '/products/SKU-1', { body: lamp, headers: { 'if-match': '"1"' } })).status).toBe(412);
      expect((await call('PUT', '/products/SKU-1', { body: lamp, headers: { 'if-match': 'yesterday' } })).body).toMatchObject({
        error: { code: 'INVALID_IF_MATCH' },
      });
      expect((await call('PUT', '/products/SKU-1', { body: { ...lamp, price: -1 } })).status).toBe(400);
      expect((await call('PUT', '/products/%20SKU', { body: lamp })).body).toMatchObject({ error: { code: 'INVALID_SKU' } });

      // An order's hold (as order.placed makes it) shows in what is available.
      await products.hold('SKU-1', 'o-1', 3);
      expect((await call('GET', '/products/SKU-1')).body).toMatchObject({ available: 1, version: 3 });
      expect((await call('GET', '/products/SKU-9')).status).toBe(404);
      expect((await call('GET', '/products')).body).toMatchObject({ products: [{ sku: 'SKU-1' }] });

      await exerciseCommonRoutes(call, buildOpenApi(), common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
