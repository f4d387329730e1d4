import type { EventHandlers, OutboxRelay, Publisher } from '@eventmart/shared';
import { mergeLines, outcomeOf, type Reservation } from '../domain/reservation';
import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';

export interface StockHandlerDeps {
  products: ProductStore;
  reservations: ReservationStore;
  relay: OutboxRelay;
  publisher: Publisher;
}

/**
 * Inventory's reactions to orders. Every step is idempotent and guarded by the
 * reservation's state, so a copy, a late fact or a crash half-way ends in the same place.
 * Each handler re-publishes the outcome it stands for (same event id) on every delivery:
 * a crash between the write and the publish is healed by the redelivery.
 */
export function createStockHandlers({ products, reservations, relay, publisher }: StockHandlerDeps): EventHandlers {
  async function holdAll(reservation: Reservation): Promise<Reservation> {
    const { orderId, items } = reservation;
    for (const { sku, quantity } of items) {
      const result = await products.hold(sku, orderId, quantity);
      if (result === 'short' || result === 'unknown-sku') {
        const reason = result === 'short' ? `not enough stock of ${sku}` : `unknown sku ${sku}`;
        return reservations.transition(orderId, 'pending', 'rejected', reason);
      }
    }
    return reservations.transition(orderId, 'pending', 'reserved');
  }

  /** Gives back every line; also mops up what a racing copy of the same event may have held. */
  async function releaseAll({ orderId, items }: Reservation) {
    for (const { sku } of items) await products.release(sku, orderId);
  }

  async function publishOutcome(reservation: Reservation, traceparent: string | undefined) {
    const outcome = outcomeOf(reservation);
    if (!outcome) return;
    const { orderId, items, reason = 'rejected' } = reservation;
    const { id, name } = outcome;
    if (name === 'stock.rejected') await publisher.publish({ id, name, key: orderId, data: { orderId, reason } }, traceparent);
    else await publisher.publish({ id, name, key: orderId, data: { orderId, items } }, traceparent);
  }

  return {
    'order.placed': async ({ data, traceparent }) => {
      let reservation = await reservations.getOrCreate(data.orderId, 'pending', mergeLines(data.items));
      if (reservation.state === 'pending') reservation = await holdAll(reservation);
      if (reservation.state !== 'reserved') await releaseAll(reservation);
      await relay.run();
      // A cancellation that came first leaves nothing to say: the order is already over.
      if (reservation.state !== 'cancelled') await publishOutcome(reservation, traceparent);
    },

    'order.cancelled': async ({ data, traceparent }) => {
      let reservation = await reservations.getOrCreate(data.orderId, 'cancelled', []);
      if (reservation.state === 'pending') throw new Error(`reservation of ${data.orderId} still in progress`);
      if (reservation.state === 'reserved') reservation = await reservations.transition(data.orderId, 'reserved', 'released');
      await releaseAll(reservation);
      await relay.run();
      if (reservation.state === 'released') await publishOutcome(reservation, traceparent);
    },

    'order.confirmed': async ({ data }) => {
      const reservation = await reservations.find(data.orderId);
      if (reservation?.state === 'pending') throw new Error(`reservation of ${data.orderId} still in progress`);
      if (reservation?.state !== 'reserved') return;
      for (const { sku } of reservation.items) await products.commit(sku, data.orderId);
    },
  };
}
