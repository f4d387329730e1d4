import Router from '@koa/router';
import { ValidationError } from '@eventmart/shared/errors';
import type { Logger } from '@eventmart/shared/logger';
import { currentTraceparent } from '@eventmart/shared/tracing';
import { bodyValidator } from '@eventmart/shared/validate';
import type { OrderRequest } from '../domain/pricing';
import type { CatalogStore } from '../store/catalog-store';
import type { OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';
import { getOrder, getOrderEvents } from '../use-cases/get-order';
import { placeOrder } from '../use-cases/place-order';
import { idempotencyKeySchema, orderRequestSchema } from './schemas';

const parseOrderRequest = bodyValidator<OrderRequest>(orderRequestSchema);

export interface OrderRouteDeps {
  store: OrderStore;
  views: OrderViews;
  catalog: CatalogStore;
  log: Logger;
  /** The saga's deadline: a timer on order.placed (events/deadlines.ts). */
  orderDeadlineMs: number;
}

export function orderRoutes(deps: OrderRouteDeps): Router {
  const router = new Router({ prefix: '/orders' });

  /** The command side (use-cases/place-order.ts): appends order.placed to a new stream; the relay publishes it. */
  router.post('/', async (ctx) => {
    const request = parseOrderRequest(ctx.request.body);
    const key = ctx.get('Idempotency-Key');
    if (key.length > idempotencyKeySchema.maxLength)
      throw new ValidationError('VALIDATION_FAILED', `Idempotency-Key is longer than ${idempotencyKeySchema.maxLength} characters`);
    // The request's span (under the caller's traceparent, if it sent one) is where the order's trace starts.
    const { orderId, status } = await placeOrder(deps, { request, idempotencyKey: key || undefined, traceparent: currentTraceparent() });
    ctx.status = 202;
    ctx.set('Location', `/orders/${orderId}`);
    ctx.body = { orderId, status };
  });

  /** The query side reads the projection (use-cases/get-order.ts). */
  router.get('/:orderId', async (ctx) => {
    ctx.body = await getOrder(deps, ctx.params.orderId!);
  });

  router.get('/:orderId/events', async (ctx) => {
    const events = await getOrderEvents(deps, ctx.params.orderId!);
    ctx.body = { events: events.map(({ name, seq, occurredAt, data }) => ({ type: name, version: seq, occurredAt, data })) };
  });

  router.get('/', async (ctx) => {
    const customerId = ctx.query.customerId;
    if (typeof customerId !== 'string' || customerId === '') throw new ValidationError('VALIDATION_FAILED', 'query parameter customerId is required');
    ctx.body = { orders: await deps.views.byCustomer(customerId, 100) };
  });

  return router;
}

/** GET /catalog: order's replica of the products, as product.changed events built it. */
export function catalogRoutes(catalog: CatalogStore): Router {
  const router = new Router();
  router.get('/catalog', async (ctx) => {
    ctx.body = { products: await catalog.all() };
  });
  return router;
}
