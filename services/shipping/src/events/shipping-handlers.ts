import type { EventHandlers } from '@eventmart/shared/pubsub';
import type { ShipmentStore } from '../store/shipment-store';
import { cancelShipment } from '../use-cases/cancel-shipment';
import { noteAddress } from '../use-cases/note-address';
import { shipOrder } from '../use-cases/ship-order';

/** Shipping's reactions to orders (use-cases/): remember where to, book on confirmation, drop on cancellation. */
export function createShippingHandlers(store: ShipmentStore, dispatchDelayMs: number): EventHandlers {
  return {
    'order.placed': ({ data }) => noteAddress(store, data),
    'order.confirmed': ({ data, traceparent }) => shipOrder(store, { ...data, traceparent, dispatchDelayMs }),
    'order.cancelled': ({ data }) => cancelShipment(store, data),
  };
}
