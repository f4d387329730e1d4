import { createHash, randomUUID } from 'node:crypto';
import { UnprocessableError } from '@eventmart/shared/errors';
import { validateEvent } from '@eventmart/shared/events';
import type { Logger } from '@eventmart/shared/logger';
import { ConcurrencyError } from '@eventmart/shared/mongo';
import { fold, placeOrder as decidePlacement, type OrderStatus } from '../domain/order';
import { priceOrder, type OrderRequest } from '../domain/pricing';
import type { CatalogStore } from '../store/catalog-store';
import { appendDecided, type OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

export interface PlaceOrderDeps {
  store: OrderStore;
  views: OrderViews;
  catalog: CatalogStore;
  log: Logger;
  /** The saga's deadline: a timer on order.placed (events/deadlines.ts). */
  orderDeadlineMs: number;
  now?: () => Date;
}

export interface PlaceOrderInput {
  request: OrderRequest;
  /** The same key (for the same customer) gives the same order, with no second order.placed. */
  idempotencyKey: string | undefined;
  /** The trace the order starts in (the request's span); its events carry it. */
  traceparent: string | undefined;
}

export interface PlacedOrder {
  orderId: string;
  status: OrderStatus;
}

/**
 * The command side of orders: prices the request from the catalog replica and appends
 * order.placed to a new stream, as one insert that is also the outbox mark (the relay
 * publishes it) and carries the deadline's timer; then projects the read model, so the
 * order is in the customer's list when this returns. A sku not in the catalog, or a total
 * no consumer would accept, is UnprocessableError.
 */
export async function placeOrder(deps: PlaceOrderDeps, { request, idempotencyKey, traceparent }: PlaceOrderInput): Promise<PlacedOrder> {
  const { store, views, catalog, log, orderDeadlineMs, now = () => new Date() } = deps;
  const known = await catalog.find(request.items.map((line) => line.sku));
  const unknown = request.items.map((line) => line.sku).filter((sku) => !known.has(sku));
  if (unknown.length > 0) throw new UnprocessableError('UNKNOWN_SKU', `unknown sku: ${[...new Set(unknown)].join(', ')}`);

  // With an Idempotency-Key the order id is derived from it: a repeat finds the stream
  // already started and gets the same order, with no second order.placed.
  const orderId = idempotencyKey ? orderIdFromKey(request.customerId, idempotencyKey) : randomUUID();
  const placed = priceOrder(orderId, request, known);
  // Accept only what every consumer will accept: a total over the schema's bound would be dropped by all of them.
  const checked = validateEvent('order.placed', placed);
  if (!checked.ok) throw new UnprocessableError('ORDER_NOT_ACCEPTABLE', `the order cannot be placed: ${checked.reason}`);
  const at = now();
  try {
    const recorded = await appendDecided(store, orderId, 0, decidePlacement(placed), {
      outbox: true,
      at: at.toISOString(),
      due: at.getTime() + orderDeadlineMs,
      traceparent,
    });
    log.info({ orderId, customerId: request.customerId, total: placed.total }, 'order placed');
    await views.project(orderId, recorded);
    return { orderId, status: fold(recorded).status };
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
  }
  // The same Idempotency-Key again: the order as it stands.
  return { orderId, status: (await views.get(orderId))?.status ?? 'PENDING' };
}

/** A stable order id for a customer's Idempotency-Key (UUID-shaped, from a SHA-256). */
function orderIdFromKey(customerId: string, key: string): string {
  const hex = createHash('sha256').update(`${customerId}\u0000${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
