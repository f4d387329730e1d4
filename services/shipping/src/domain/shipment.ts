import type { EventData } from '@eventmart/shared/events';

/**
 * A shipment follows its order: it learns the address from order.placed, is scheduled on
 * order.confirmed, then a simulated courier dispatches and delivers it after set delays.
 * It is a stream of these events, and its state is their fold:
 *
 *   awaiting ─order.confirmed→ scheduled ─delay→ dispatched ─delay→ delivered
 *   awaiting ─order.cancelled→ cancelled
 */
export type Address = EventData<'order.placed'>['address'];
export type ShipmentState = 'awaiting' | 'scheduled' | 'dispatched' | 'delivered' | 'cancelled';
/** A courier step carries the trace of the order it serves, so its facts continue that trace. */
export type ShipmentEvent = { kind: 'addressed'; address: Address } | { kind: Exclude<ShipmentState, 'awaiting'>; traceparent?: string };

export interface Shipment {
  orderId: string;
  shipmentId: string;
  state: ShipmentState;
  addressed: boolean;
  address: Address;
}

export function shipmentIdOf(orderId: string): string {
  return `shp-${orderId}`;
}

export function emptyShipment(orderId: string): Shipment {
  return { orderId, shipmentId: shipmentIdOf(orderId), state: 'awaiting', addressed: false, address: undefined };
}

/** Applies one event to a shipment, in place. */
export function applyShipment(shipment: Shipment, event: ShipmentEvent): void {
  if (event.kind === 'addressed') Object.assign(shipment, { addressed: true, address: event.address });
  else shipment.state = event.kind;
}

export function foldShipment(orderId: string, events: readonly ShipmentEvent[]): Shipment {
  const shipment = emptyShipment(orderId);
  for (const event of events) applyShipment(shipment, event);
  return shipment;
}

/** What the courier does next from a state, if anything. */
export const NEXT_STEP: Partial<Record<ShipmentState, 'dispatched' | 'delivered'>> = { scheduled: 'dispatched', dispatched: 'delivered' };

/** The public fact a state change stands for. */
export function factOf(event: ShipmentEvent): 'shipment.scheduled' | 'shipment.dispatched' | 'shipment.delivered' | undefined {
  return event.kind === 'scheduled' || event.kind === 'dispatched' || event.kind === 'delivered' ? `shipment.${event.kind}` : undefined;
}
