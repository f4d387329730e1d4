import type { EventHandlers } from '@eventmart/shared';
import type { ShipmentStore } from '../store/shipment-store';
import type { Courier } from './courier';

/** Shipping's reactions to orders: remember where to, book on confirmation, drop on cancellation. */
export function createShippingHandlers(store: ShipmentStore, courier: Courier, dispatchDelayMs: number): EventHandlers {
  return {
    'order.placed': async ({ data }) => store.rememberAddress(data.orderId, data.address),
    'order.confirmed': async ({ data }) => {
      await store.leaveAwaiting(data.orderId, 'scheduled', Date.now() + dispatchDelayMs);
      await courier.tick();
    },
    'order.cancelled': async ({ data }) => store.leaveAwaiting(data.orderId, 'cancelled'),
  };
}
