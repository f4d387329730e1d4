import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { ShipmentEvent } from '../src/domain/shipment';
import { buildOpenApi } from '../src/http/openapi';
import { shipmentStoreOn } from '../src/store/shipment-store';

function app() {
  const shipments = shipmentStoreOn(memoryEventStreamStore<ShipmentEvent>('shipment_events'));
  const common = serviceDeps('shipping', {});
  return { app: createApp({ ...common.deps, shipments }), shipments, common };
}

describeOpenApi('shipping', buildOpenApi, () => app().app, loadConfig({}).port);

describe('the shipping service answers as its document says', () => {
  test('each route, with a 2xx and its 4xx', async () => {
    const { app: koa, shipments, common } = app();
    const served = await serveDocumented(koa, buildOpenApi());
    const { call } = served;
    try {
      // What order.placed and order.confirmed make of a shipment.
      const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
      await shipments.change('o-1', () => ({ event: { kind: 'addressed', address } }));
      expect((await call('GET', '/shipments/o-1')).body).toEqual({ orderId: 'o-1', shipmentId: 'shp-o-1', status: 'AWAITING', address });
      await shipments.change('o-1', () => ({ event: { kind: 'scheduled' } }));
      expect((await call('GET', '/shipments/o-1')).body).toMatchObject({ status: 'SCHEDULED' });
      expect((await call('GET', '/shipments/o-2')).status).toBe(404);

      await exerciseCommonRoutes(call, buildOpenApi(), common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
