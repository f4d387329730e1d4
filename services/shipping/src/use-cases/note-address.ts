import type { Address } from '../domain/shipment';
import type { ShipmentStore } from '../store/shipment-store';

/** A placed order says where it goes: the shipment keeps the first address it hears (its own note, not a public fact). */
export function noteAddress(store: ShipmentStore, { orderId, address }: { orderId: string; address?: Address }): Promise<void> {
  return store.change(orderId, (s) => (s.addressed ? undefined : { event: { kind: 'addressed', address } }));
}
