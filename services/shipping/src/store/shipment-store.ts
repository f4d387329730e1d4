import type { Db } from 'mongodb';
import { createEventStreamStore, createFoldCache, type EventStreamStore } from '@eventmart/shared/event-stream';
import { applyShipment, emptyShipment, factOf, foldShipment, type Shipment, type ShipmentEvent } from '../domain/shipment';

export interface ShipmentStore {
  streams: EventStreamStore<ShipmentEvent>;
  get(orderId: string): Promise<Shipment | undefined>;
  /**
   * Decides against the shipment's current state and appends what was decided (published
   * through the outbox, with an optional timer), again from the top if another writer
   * came first.
   */
  change(orderId: string, decide: (shipment: Shipment) => { event: ShipmentEvent; due?: number } | undefined): Promise<void>;
}

export async function createShipmentStore(db: Db): Promise<ShipmentStore> {
  return shipmentStoreOn(await createEventStreamStore<ShipmentEvent>(db, 'shipment_events'));
}

/** The shipments over their streams, wherever those are kept (in memory, in a component test). */
export function shipmentStoreOn(streams: EventStreamStore<ShipmentEvent>): ShipmentStore {
  const folds = createFoldCache(streams, emptyShipment, applyShipment);
  return {
    streams,
    async get(orderId) {
      const stream = await streams.read(orderId);
      return stream.version === 0 ? undefined : foldShipment(orderId, stream.events);
    },
    change(orderId, decide) {
      // Decided on the cached fold (a stale one loses its append and decides again, caught up).
      return folds.decide(orderId, (shipment) => {
        const decision = decide(shipment);
        if (!decision) return { result: undefined, events: [] };
        // Only a public fact goes through the outbox; 'addressed' is the shipment's own note.
        const options = { outbox: factOf(decision.event) !== undefined, ...(decision.due === undefined ? {} : { due: decision.due }) };
        return { result: undefined, events: [decision.event], options };
      });
    },
  };
}
