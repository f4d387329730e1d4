import { mergeLines, type Line, type Reservation } from '../domain/reservation';
import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';
import { releaseLines } from './release-stock';

/**
 * A copy decides its holds within this long of reading its reservation as pending, or is
 * delivered again to read it anew: what lets a sku forget an order whose hold closed (see
 * CLOSED_KEPT_MS in domain/stock.ts).
 */
export const RESERVATION_FRESH_MS = 60_000;

/**
 * A placed order holds every line or none: each sku's hold is checked against its stock
 * (never below zero, once per order), and the reservation moves to reserved, or to rejected
 * with what was short, giving back what it held. Guarded by the reservation's state, so a
 * copy, a late fact or a crash half-way ends in the same place; the relay publishes the move.
 */
export async function reserveStock(
  { products, reservations }: { products: ProductStore; reservations: ReservationStore },
  { orderId, items, traceparent }: { orderId: string; items: readonly Line[]; traceparent: string | undefined },
): Promise<void> {
  const freshUntil = performance.now() + RESERVATION_FRESH_MS;
  let reservation = await reservations.getOrCreate(orderId, 'pending', mergeLines(items), traceparent);
  if (reservation.state === 'pending') reservation = await holdAll({ products, reservations }, reservation, freshUntil);
  // Rejected or cancelled: also mops up what a racing copy of the same event may have held.
  if (reservation.state !== 'reserved') await releaseLines({ products }, reservation);
}

async function holdAll(
  { products, reservations }: { products: ProductStore; reservations: ReservationStore },
  { orderId, items }: Reservation,
  freshUntil: number,
): Promise<Reservation> {
  for (const { sku, quantity } of items) {
    const result = await products.hold(sku, orderId, quantity, freshUntil);
    // Delivered again, it reads the reservation anew and goes on, or mops up what it held.
    if (result === 'stale') throw new Error(`the reservation of ${orderId} was read too long ago to hold ${sku}`);
    if (result === 'short' || result === 'unknown-sku') {
      const reason = result === 'short' ? `not enough stock of ${sku}` : `unknown sku ${sku}`;
      return reservations.transition(orderId, 'pending', 'rejected', reason);
    }
  }
  return reservations.transition(orderId, 'pending', 'reserved');
}
