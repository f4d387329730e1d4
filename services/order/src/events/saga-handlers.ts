import type { EventHandlers } from '@eventmart/shared/pubsub';
import type { FactName } from '../domain/order';
import type { CatalogStore } from '../store/catalog-store';
import { reactToFact, type Fact, type ReactToFactDeps } from '../use-cases/react-to-fact';

export interface SagaDeps extends ReactToFactDeps {
  catalog: CatalogStore;
}

/**
 * The process manager's inbox: each fact about an order goes into the order's stream and
 * may move it on (use-cases/react-to-fact.ts); a fact about no order is dropped. The
 * catalog replica keeps the newest product.changed of each sku.
 */
export function createSagaHandlers(deps: SagaDeps): EventHandlers {
  const onFact = (fact: Fact) => reactToFact(deps, fact);
  return {
    'product.changed': async ({ data }) => deps.catalog.apply(data),
    // Every fact about an order goes into its stream (domain/order.ts FACTS lists them; the type checks none is missing).
    'payment.succeeded': onFact,
    'payment.failed': onFact,
    'payment.refunded': onFact,
    'stock.reserved': onFact,
    'stock.rejected': onFact,
    'stock.released': onFact,
    'shipment.scheduled': onFact,
    'shipment.dispatched': onFact,
    'shipment.delivered': onFact,
  } satisfies EventHandlers & Record<FactName, typeof onFact>;
}
