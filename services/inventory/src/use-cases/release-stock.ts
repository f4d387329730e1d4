import type { Reservation } from '../domain/reservation';
import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';

/**
 * A cancelled order gives back what it holds: a reserved reservation moves to released (the
 * relay publishes stock.released); one not made yet is created cancelled, so a late
 * order.placed holds nothing. While a copy of order.placed is still holding lines this
 * throws, to be retried once it is done.
 */
export async function releaseStock(
  { products, reservations }: { products: ProductStore; reservations: ReservationStore },
  { orderId }: { orderId: string },
): Promise<void> {
  let reservation = await reservations.getOrCreate(orderId, 'cancelled', []);
  if (reservation.state === 'pending') throw new Error(`reservation of ${orderId} still in progress`);
  if (reservation.state === 'reserved') reservation = await reservations.transition(orderId, 'reserved', 'released');
  await releaseLines({ products }, reservation);
}

/** Gives back every line the order holds (nothing for a line it does not hold). */
export async function releaseLines({ products }: { products: ProductStore }, { orderId, items }: Reservation): Promise<void> {
  for (const { sku } of items) await products.release(sku, orderId);
}
