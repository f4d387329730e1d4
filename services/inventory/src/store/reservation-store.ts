import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@eventmart/shared';
import type { Line, Reservation, ReservationState } from '../domain/reservation';

interface ReservationDoc {
  _id: string;
  state: ReservationState;
  items: Line[];
  reason?: string;
}

export interface ReservationStore {
  /** The order's reservation, created in `state` with `items` if it has none yet. */
  getOrCreate(orderId: string, state: ReservationState, items: Line[]): Promise<Reservation>;
  find(orderId: string): Promise<Reservation | undefined>;
  /** Moves from one state to the next; whoever moved first wins. Returns the reservation as it now is. */
  transition(orderId: string, from: ReservationState, to: ReservationState, reason?: string): Promise<Reservation>;
}

const toReservation = ({ _id, state, items, reason }: ReservationDoc): Reservation => ({
  orderId: _id,
  state,
  items,
  ...(reason === undefined ? {} : { reason }),
});

export function createReservationStore(db: Db): ReservationStore {
  const reservations: Collection<ReservationDoc> = db.collection('reservations');
  const load = async (orderId: string) => toReservation((await reservations.findOne({ _id: orderId }))!);

  return {
    async getOrCreate(orderId, state, items) {
      try {
        await reservations.insertOne({ _id: orderId, state, items });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return load(orderId);
    },
    async find(orderId) {
      const doc = await reservations.findOne({ _id: orderId });
      return doc ? toReservation(doc) : undefined;
    },
    async transition(orderId, from, to, reason) {
      await reservations.updateOne({ _id: orderId, state: from }, { $set: reason === undefined ? { state: to } : { state: to, reason } });
      return load(orderId);
    },
  };
}
