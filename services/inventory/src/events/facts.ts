import type { Commit } from '@eventmart/shared/event-stream';
import type { EventName, OutgoingEvent } from '@eventmart/shared/events';
import { factOf } from '../domain/reservation';
import type { ProductStore } from '../store/product-store';
import { foldReservation, type ReservationEvent, type ReservationStore } from '../store/reservation-store';

/** What inventory publishes: each product's state as it changes, and each order's reservation moves. */
export const PUBLISHES = ['product.changed', 'stock.reserved', 'stock.rejected', 'stock.released'] as const satisfies readonly EventName[];

/**
 * A product's state as of these commits or later (event-carried state: consumers keep a
 * replica), one event per version. This process usually knows it already: it appended them.
 */
export async function productFacts(products: ProductStore, sku: string, commits: readonly Commit<unknown>[]): Promise<OutgoingEvent<'product.changed'>[]> {
  const last = commits.at(-1)!;
  const product = products.known(sku, last.seq + last.events.length - 1) ?? (await products.get(sku));
  return product ? [{ id: `${sku}:v${product.version}`, name: 'product.changed', key: sku, data: product }] : [];
}

/** The public facts among an order's reservation moves (reserved, rejected, released), each with a fixed id. */
export async function reservationFacts(
  reservations: ReservationStore,
  orderId: string,
  commits: readonly Commit<ReservationEvent>[],
): Promise<OutgoingEvent<'stock.reserved' | 'stock.rejected' | 'stock.released'>[]> {
  const last = commits.at(-1)!;
  const events = await reservations.events(orderId, last.seq + last.events.length - 1);
  const { items, reason = 'rejected' } = foldReservation(orderId, events)!;
  const traceparent = events[0]?.traceparent;
  const traced = traceparent === undefined ? {} : { traceparent };
  return commits
    .flatMap((commit) => commit.events)
    .flatMap(({ state }): OutgoingEvent<'stock.reserved' | 'stock.rejected' | 'stock.released'>[] => {
      const fact = factOf(orderId, state);
      if (!fact) return [];
      const about = { id: fact.id, key: orderId, ...traced };
      if (fact.name === 'stock.rejected') return [{ ...about, name: fact.name, data: { orderId, reason } }];
      return [{ ...about, name: fact.name, data: { orderId, items } }];
    });
}
