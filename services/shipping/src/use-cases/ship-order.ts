import type { ShipmentStore } from '../store/shipment-store';

/**
 * A confirmed order is booked with the courier: a shipment still awaiting is scheduled (the
 * relay publishes shipment.scheduled), with a timer for its dispatch (advance-shipment.ts).
 */
export function shipOrder(
  store: ShipmentStore,
  { orderId, traceparent, dispatchDelayMs, now = Date.now }: { orderId: string; traceparent: string | undefined; dispatchDelayMs: number; now?: () => number },
): Promise<void> {
  const traced = traceparent ? { traceparent } : {};
  return store.change(orderId, (s) => (s.state === 'awaiting' ? { event: { kind: 'scheduled', ...traced }, due: now() + dispatchDelayMs } : undefined));
}
