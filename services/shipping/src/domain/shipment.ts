import type { EventData } from '@eventmart/shared/events';

/**
 * A shipment follows its order: it learns the address from order.placed, is scheduled on
 * order.confirmed, then a simulated courier dispatches and delivers it after set delays.
 *
 *   awaiting ─order.confirmed→ scheduled ─delay→ dispatched ─delay→ delivered
 *   awaiting ─order.cancelled→ cancelled
 */
export type ShipmentState = 'awaiting' | 'scheduled' | 'dispatched' | 'delivered' | 'cancelled';

export type Address = EventData<'order.placed'>['address'];

export interface Shipment {
  orderId: string;
  shipmentId: string;
  state: ShipmentState;
  address: Address;
  /** When the courier takes the next step (epoch ms). */
  dueAt: number | undefined;
  /** The facts already published about it. */
  published: ShipmentFact[];
}

export type ShipmentFact = 'shipment.scheduled' | 'shipment.dispatched' | 'shipment.delivered';

const FACTS_BY_STATE: Record<ShipmentState, ShipmentFact[]> = {
  awaiting: [],
  cancelled: [],
  scheduled: ['shipment.scheduled'],
  dispatched: ['shipment.scheduled', 'shipment.dispatched'],
  delivered: ['shipment.scheduled', 'shipment.dispatched', 'shipment.delivered'],
};

/** The facts a shipment in this state stands for and has not yet published, in order. */
export function unpublishedFacts(shipment: Shipment): ShipmentFact[] {
  return FACTS_BY_STATE[shipment.state].filter((fact) => !shipment.published.includes(fact));
}

export function shipmentIdOf(orderId: string): string {
  return `shp-${orderId}`;
}
