import Router from '@koa/router';
import { NotFoundError } from '@eventmart/shared/errors';
import type { ShipmentStore } from '../store/shipment-store';

export function shipmentRoutes(store: ShipmentStore): Router {
  const router = new Router({ prefix: '/shipments' });
  router.get('/:orderId', async (ctx) => {
    const shipment = await store.get(ctx.params.orderId!);
    if (!shipment) throw new NotFoundError('SHIPMENT_NOT_FOUND', `no shipment for order ${ctx.params.orderId}`);
    const { orderId, shipmentId, state, address } = shipment;
    ctx.body = { orderId, shipmentId, status: state.toUpperCase(), ...(address ? { address } : {}) };
  });
  return router;
}
