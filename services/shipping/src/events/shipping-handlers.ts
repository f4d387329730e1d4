import type { EventHandlers } from '@eventmart/shared/pubsub';
import type { ShipmentStore } from '../store/shipment-store';

/** Shipping's reactions to orders: remember where to, book on confirmation, drop on cancellation. */
export function createShippingHandlers(store: ShipmentStore, dispatchDelayMs: number): EventHandlers {
  return {
    'order.placed': async ({ data }) => store.change(data.orderId, (s) => (s.addressed ? undefined : { event: { kind: 'addressed', address: data.address } })),
    'order.confirmed': async ({ data, traceparent }) => {
      const traced = traceparent ? { traceparent } : {};
      await store.change(data.orderId, (s) =>
        s.state === 'awaiting' ? { event: { kind: 'scheduled', ...traced }, due: Date.now() + dispatchDelayMs } : undefined,
      );
    },
    'order.cancelled': async ({ data }) => store.change(data.orderId, (s) => (s.state === 'awaiting' ? { event: { kind: 'cancelled' } } : undefined)),
  };
}
