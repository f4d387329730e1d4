import type { ProductStore } from '../store/product-store';
import type { ReservationStore } from '../store/reservation-store';

/**
 * A confirmed order's holds become sold: they are forgotten, not given back. Nothing to do
 * for an order not reserved; while its reservation is still in progress this throws, to be
 * retried once it is done.
 */
export async function commitStock(
  { products, reservations }: { products: ProductStore; reservations: ReservationStore },
  { orderId }: { orderId: string },
): Promise<void> {
  const reservation = await reservations.find(orderId);
  if (reservation?.state === 'pending') throw new Error(`reservation of ${orderId} still in progress`);
  if (reservation?.state !== 'reserved') return;
  for (const { sku } of reservation.items) await products.commit(sku, orderId);
}
