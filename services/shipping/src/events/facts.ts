import type { Commit } from '@eventmart/shared/event-stream';
import type { EventName, OutgoingEvent } from '@eventmart/shared/events';
import { shipmentIdOf, type ShipmentEvent } from '../domain/shipment';

/** What shipping publishes: each step of a shipment. */
export const PUBLISHES = ['shipment.scheduled', 'shipment.dispatched', 'shipment.delivered'] as const satisfies readonly EventName[];
export type ShippingFact = (typeof PUBLISHES)[number];

/** The facts in an order's newly committed shipment events, each with a fixed id (`<orderId>:<fact>`). */
export function shippingFacts(orderId: string, commits: readonly Commit<ShipmentEvent>[]): OutgoingEvent<ShippingFact>[] {
  const data = { orderId, shipmentId: shipmentIdOf(orderId) };
  return commits
    .flatMap((commit) => commit.events)
    .flatMap((event): OutgoingEvent<ShippingFact>[] => {
      if (event.kind !== 'scheduled' && event.kind !== 'dispatched' && event.kind !== 'delivered') return [];
      const name = `shipment.${event.kind}` as const;
      return [{ id: `${orderId}:${name}`, name, key: orderId, data, ...(event.traceparent === undefined ? {} : { traceparent: event.traceparent }) }];
    });
}
