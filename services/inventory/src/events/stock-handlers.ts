import type { EventHandlers } from '@eventmart/shared/pubsub';
import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';
import { commitStock } from '../use-cases/commit-stock';
import { releaseStock } from '../use-cases/release-stock';
import { reserveStock } from '../use-cases/reserve-stock';

export interface StockHandlerDeps {
  products: ProductStore;
  reservations: ReservationStore;
}

/**
 * Inventory's reactions to orders (use-cases/): every step is idempotent and guarded by the
 * reservation's state. What they decide is published by the outbox relays, never directly.
 */
export function createStockHandlers(deps: StockHandlerDeps): EventHandlers {
  return {
    'order.placed': ({ data, traceparent }) => reserveStock(deps, { ...data, traceparent }),
    'order.cancelled': ({ data }) => releaseStock(deps, data),
    'order.confirmed': ({ data }) => commitStock(deps, data),
  };
}
