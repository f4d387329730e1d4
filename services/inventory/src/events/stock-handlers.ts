import type { EventHandlers } from '@eventmart/shared/pubsub';
import { mergeLines, type Reservation } from '../domain/reservation';
import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';

export interface StockHandlerDeps {
  products: ProductStore;
  reservations: ReservationStore;
}

/**
 * Inventory's reactions to orders. Every step is idempotent and guarded by the
 * reservation's state, so a copy, a late fact or a crash half-way ends in the same place.
 * What they decide is published by the outbox relays, never directly.
 */
export function createStockHandlers({ products, reservations }: StockHandlerDeps): EventHandlers {
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

  return {
    'order.placed': async ({ data, traceparent }) => {
      let reservation = await reservations.getOrCreate(data.orderId, 'pending', mergeLines(data.items), traceparent);
      if (reservation.state === 'pending') reservation = await holdAll(reservation);
      if (reservation.state !== 'reserved') await releaseAll(reservation);
    },

    'order.cancelled': async ({ data }) => {
      let reservation = await reservations.getOrCreate(data.orderId, 'cancelled', []);
      // A copy of order.placed is still holding lines: wait for it, then release what it held.
      if (reservation.state === 'pending') throw new Error(`reservation of ${data.orderId} still in progress`);
      if (reservation.state === 'reserved') reservation = await reservations.transition(data.orderId, 'reserved', 'released');
      await releaseAll(reservation);
    },

    'order.confirmed': async ({ data }) => {
      const reservation = await reservations.find(data.orderId);
      if (reservation?.state === 'pending') throw new Error(`reservation of ${data.orderId} still in progress`);
      if (reservation?.state !== 'reserved') return;
      for (const { sku } of reservation.items) await products.commit(sku, data.orderId);
    },
  };
}
