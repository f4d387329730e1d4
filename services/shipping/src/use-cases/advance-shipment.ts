import { NEXT_STEP, type ShipmentEvent } from '../domain/shipment';
import type { ShipmentStore } from '../store/shipment-store';

export interface DueStep {
  orderId: string;
  /** The step whose timer is due: only the step that put the shipment in its current state may move it on. */
  timerSetIn: ShipmentEvent['kind'] | undefined;
  traceparent: string | undefined;
  /** The time the timer was found due (epoch ms); the delivery's timer counts from it. */
  now: number;
  deliveryDelayMs: number;
}

/**
 * The simulated courier's step when a shipment's timer is due: scheduled → dispatched (with
 * a timer for the delivery) → delivered, each appended by an insert only one replica wins;
 * the relay publishes the fact. A replica that lost the race finds the step taken and does nothing.
 */
export function advanceShipment(store: ShipmentStore, { orderId, timerSetIn, traceparent, now, deliveryDelayMs }: DueStep): Promise<void> {
  return store.change(orderId, (shipment) => {
    const next = NEXT_STEP[shipment.state];
    if (!next || timerSetIn !== shipment.state) return undefined;
    const traced = traceparent ? { traceparent } : {};
    return next === 'dispatched' ? { event: { kind: next, ...traced }, due: now + deliveryDelayMs } : { event: { kind: next, ...traced } };
  });
}
