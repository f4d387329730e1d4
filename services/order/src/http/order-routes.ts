import { createHash, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { NotFoundError, UnprocessableError, ValidationError } from '@eventmart/shared/errors';
import type { Logger } from '@eventmart/shared/logger';
import { ConcurrencyError } from '@eventmart/shared/mongo';
import { currentTraceparent } from '@eventmart/shared/tracing';
import { bodyValidator } from '@eventmart/shared/validate';
import { validateEvent } from '@eventmart/shared/events';
import { fold, placeOrder } from '../domain/order';
import { priceOrder, type OrderRequest } from '../domain/pricing';
import type { CatalogStore } from '../store/catalog-store';
import type { OrderStore } from '../store/order-store';
import { toView, type OrderViews } from '../store/order-views';
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

export function orderRoutes({ store, views, catalog, log, orderDeadlineMs }: OrderRouteDeps): Router {
  const router = new Router({ prefix: '/orders' });

  /** The command side: appends order.placed to a new stream; the relay publishes it. */
  router.post('/', async (ctx) => {
    const request = parseOrderRequest(ctx.request.body);
    const key = ctx.get('Idempotency-Key');
    if (key.length > idempotencyKeySchema.maxLength)
      throw new ValidationError('VALIDATION_FAILED', `Idempotency-Key is longer than ${idempotencyKeySchema.maxLength} characters`);
    const known = await catalog.find(request.items.map((line) => line.sku));
    const unknown = request.items.map((line) => line.sku).filter((sku) => !known.has(sku));
    if (unknown.length > 0) throw new UnprocessableError('UNKNOWN_SKU', `unknown sku: ${[...new Set(unknown)].join(', ')}`);

    // With an Idempotency-Key the order id is derived from it: a repeat finds the stream
    // already started and gets the same order, with no second order.placed.
    const orderId = key ? orderIdFromKey(request.customerId, key) : randomUUID();
    const placed = priceOrder(orderId, request, known);
    // Accept only what every consumer will accept: a total over the schema's bound would be dropped by all of them.
    const checked = validateEvent('order.placed', placed);
    if (!checked.ok) throw new UnprocessableError('ORDER_NOT_ACCEPTABLE', `the order cannot be placed: ${checked.reason}`);
    const occurredAt = new Date().toISOString();
    let status: string | undefined;
    try {
      // The request's span (under the caller's traceparent, if it sent one) is where the order's trace starts.
      const traceparent = currentTraceparent();
      const traced = traceparent ? { traceparent } : {};
      const events = placeOrder(placed).map((e) => ({ ...e, id: randomUUID(), occurredAt, ...traced }));
      await store.append(orderId, 0, events, { outbox: true, at: occurredAt, due: Date.parse(occurredAt) + orderDeadlineMs });
      log.info({ orderId, customerId: request.customerId, total: placed.total }, 'order placed');
      // Read your own writes: the order is in the customer's list when this answers. The relay
      // publishes order.placed as soon as the insert lands.
      const recorded = events.map((e, i) => ({ ...e, seq: i + 1 }));
      await views.project(orderId, recorded);
      status = fold(recorded).status;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
    // The same Idempotency-Key again: the order as it stands.
    status ??= (await views.get(orderId))?.status ?? 'PENDING';
    ctx.status = 202;
    ctx.set('Location', `/orders/${orderId}`);
    ctx.body = { orderId, status };
  });

  /** The query side reads the projection; a stream not yet projected is folded on the spot. */
  router.get('/:orderId', async (ctx) => {
    const orderId = ctx.params.orderId!;
    const view = await views.get(orderId);
    if (view) {
      ctx.body = view;
      return;
    }
    const stream = await store.read(orderId);
    if (stream.version === 0) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
    ctx.body = toView(stream.events);
  });

  router.get('/:orderId/events', async (ctx) => {
    const stream = await store.read(ctx.params.orderId!);
    if (stream.version === 0) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${ctx.params.orderId}`);
    ctx.body = { events: stream.events.map(({ name, seq, occurredAt, data }) => ({ type: name, version: seq, occurredAt, data })) };
  });

  router.get('/', async (ctx) => {
    const customerId = ctx.query.customerId;
    if (typeof customerId !== 'string' || customerId === '') throw new ValidationError('VALIDATION_FAILED', 'query parameter customerId is required');
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

/** A stable order id for a customer's Idempotency-Key (UUID-shaped, from a SHA-256). */
export function orderIdFromKey(customerId: string, key: string): string {
  const hex = createHash('sha256').update(`${customerId}\u0000${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
