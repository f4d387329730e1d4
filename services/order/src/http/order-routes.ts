import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { bodyValidator, NotFoundError, UnprocessableError, ValidationError, type Logger } from '@eventmart/shared';
import { address } from '@eventmart/shared/events';
import { fold, placeOrder } from '../domain/order';
import { priceOrder, type OrderRequest } from '../domain/pricing';
import type { CatalogStore } from '../store/catalog-store';
import type { EventStore } from '../store/event-store';
import { toView, type OrderViews } from '../store/order-views';
import type { OutboxRelay } from '../events/outbox-relay';

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;
const parseOrderRequest = bodyValidator<OrderRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'items'],
  properties: {
    customerId: id,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: { sku: id, quantity: { type: 'integer', minimum: 1, maximum: 10_000 } },
      },
    },
    address,
  },
});

export interface OrderRouteDeps {
  store: EventStore;
  views: OrderViews;
  catalog: CatalogStore;
  relay: OutboxRelay;
  log: Logger;
}

export function orderRoutes({ store, views, catalog, relay, log }: OrderRouteDeps): Router {
  const router = new Router({ prefix: '/orders' });

  /** The command side: appends order.placed to a new stream; the relay publishes it. */
  router.post('/', async (ctx) => {
    const request = parseOrderRequest(ctx.request.body);
    const key = ctx.get('Idempotency-Key');
    if (key.length > 200) throw new ValidationError('Idempotency-Key is longer than 200 characters');
    const known = await catalog.find(request.items.map((line) => line.sku));
    const unknown = request.items.map((line) => line.sku).filter((sku) => !known.has(sku));
    if (unknown.length > 0) throw new UnprocessableError('UNKNOWN_SKU', `unknown sku: ${[...new Set(unknown)].join(', ')}`);

    const orderId = randomUUID();
    const placed = priceOrder(orderId, request, known);
    const { orderId: actual, created } = await store.create(
      orderId,
      request.customerId,
      key ? `${request.customerId} ${key}` : orderId,
      placeOrder(placed),
      [randomUUID()],
      new Date().toISOString(),
    );
    if (created) {
      log.info({ orderId, customerId: request.customerId, total: placed.total }, 'order placed');
      await relay.flush().catch((err: unknown) => log.warn({ err, orderId }, 'outbox flush failed, the relay will retry'));
    }
    const view = await views.get(actual);
    ctx.status = 202;
    ctx.set('Location', `/orders/${actual}`);
    ctx.body = { orderId: actual, status: view?.status ?? 'PENDING' };
  });

  /** The query side reads the projection; a stream not yet projected is folded on the spot. */
  router.get('/:orderId', async (ctx) => {
    const orderId = ctx.params.orderId!;
    const view = await views.get(orderId);
    if (view) {
      ctx.body = view;
      return;
    }
    const stream = await store.load(orderId);
    if (!stream) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
    ctx.body = toView(fold(stream.events));
  });

  router.get('/:orderId/events', async (ctx) => {
    const stream = await store.load(ctx.params.orderId!);
    if (!stream) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${ctx.params.orderId}`);
    ctx.body = { events: stream.events.map(({ name, seq, occurredAt, data }) => ({ type: name, version: seq, occurredAt, data })) };
  });

  router.get('/', async (ctx) => {
    const customerId = ctx.query.customerId;
    if (typeof customerId !== 'string' || customerId === '') throw new ValidationError('query parameter customerId is required');
    ctx.body = { orders: await views.byCustomer(customerId, 100) };
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
