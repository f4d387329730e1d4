import type { Db } from 'mongodb';
import { createEventStreamStore, retryOnConflict, type EventStreamStore } from '@eventmart/shared';
import { foldShipment, type Shipment, type ShipmentEvent } from '../domain/shipment';

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
  const streams = await createEventStreamStore<ShipmentEvent>(db, 'shipment_events');
  return {
    streams,
    async get(orderId) {
      const stream = await streams.read(orderId);
      return stream.version === 0 ? undefined : foldShipment(orderId, stream.events);
    },
    change(orderId, decide) {
      return retryOnConflict(async () => {
        const stream = await streams.read(orderId);
        const decision = decide(foldShipment(orderId, stream.events));
        if (!decision) return;
        await streams.append(orderId, stream.version, [decision.event], { outbox: true, ...(decision.due === undefined ? {} : { due: decision.due }) });
      });
    },
  };
}
