import type { ShipmentStore } from '../store/shipment-store';

/** A cancelled order is not shipped: a shipment still awaiting is cancelled; one already booked goes on. */
export function cancelShipment(store: ShipmentStore, { orderId }: { orderId: string }): Promise<void> {
  return store.change(orderId, (s) => (s.state === 'awaiting' ? { event: { kind: 'cancelled' } } : undefined));
}
