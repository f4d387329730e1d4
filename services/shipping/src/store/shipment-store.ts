import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared';
import { shipmentIdOf, type Address, type Shipment, type ShipmentFact, type ShipmentState } from '../domain/shipment';

interface ShipmentDoc {
  _id: string;
  state: ShipmentState;
  address?: Address;
  dueAt?: number;
  published?: ShipmentFact[];
  /** Set with every state change, cleared once its facts are published: the shipment's outbox. */
  dirty: boolean;
}

export interface ShipmentStore {
  get(orderId: string): Promise<Shipment | undefined>;
  rememberAddress(orderId: string, address: Address): Promise<void>;
  /** Moves awaiting → `to` (creating the shipment if this is the first we hear of it). */
  leaveAwaiting(orderId: string, to: 'scheduled' | 'cancelled', dueAt?: number): Promise<void>;
  /** Moves every shipment in `from` whose time has come to `to`; only one replica wins each. */
  advanceDue(from: ShipmentState, to: ShipmentState, now: number, nextDueAt: number | undefined): Promise<number>;
  dirty(): Promise<Shipment[]>;
  markPublished(orderId: string, fact: ShipmentFact): Promise<void>;
  /** Clears the outbox mark, unless the shipment moved on meanwhile. */
  markClean(orderId: string, state: ShipmentState): Promise<void>;
}

const toShipment = (doc: ShipmentDoc): Shipment => ({
  orderId: doc._id,
  shipmentId: shipmentIdOf(doc._id),
  state: doc.state,
  address: doc.address,
  dueAt: doc.dueAt,
  published: doc.published ?? [],
});

export async function createShipmentStore(db: Db): Promise<ShipmentStore> {
  const shipments: Collection<ShipmentDoc> = db.collection('shipments');
  await shipments.createIndex({ state: 1, dueAt: 1 });
  await shipments.createIndex({ dirty: 1 });

  return {
    async get(orderId) {
      const doc = await shipments.findOne({ _id: orderId });
      return doc ? toShipment(doc) : undefined;
    },
    async rememberAddress(orderId, address) {
      await shipments.updateOne(
        { _id: orderId },
        { $set: { address }, $setOnInsert: { state: 'awaiting', dirty: false } },
        { upsert: true },
      );
    },
    async leaveAwaiting(orderId, to, dueAt) {
      const change = { state: to, dirty: true, ...(dueAt === undefined ? {} : { dueAt }) };
      try {
        await shipments.updateOne({ _id: orderId, state: 'awaiting' }, { $set: change }, { upsert: true });
      } catch (err) {
        // It exists and has already left awaiting: the first decision stands.
        if (!isDuplicateKey(err)) throw err;
      }
    },
    async advanceDue(from, to, now, nextDueAt) {
      let moved = 0;
      for (const doc of await shipments.find({ state: from, dueAt: { $lte: now } }).limit(100).toArray()) {
        const change = nextDueAt === undefined ? { state: to, dirty: true } : { state: to, dirty: true, dueAt: nextDueAt };
        const { modifiedCount } = await shipments.updateOne({ _id: doc._id, state: from }, { $set: change });
        moved += modifiedCount;
      }
      return moved;
    },
    async dirty() {
      return (await shipments.find({ dirty: true }).limit(200).toArray()).map(toShipment);
    },
    async markPublished(orderId, fact) {
      await shipments.updateOne({ _id: orderId }, { $addToSet: { published: fact } });
    },
    async markClean(orderId, state) {
      await shipments.updateOne({ _id: orderId, state }, { $set: { dirty: false } });
    },
  };
}
