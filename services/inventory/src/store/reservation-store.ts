import { ConcurrencyError, type EventStreamStore } from '@eventmart/shared';
import type { Line, Reservation, ReservationState } from '../domain/reservation';

export interface ReservationEvent {
  state: ReservationState;
  items?: Line[];
  reason?: string;
}

export interface ReservationStore {
  /** The order's reservation, created in `state` with `items` if it has none yet. */
  getOrCreate(orderId: string, state: ReservationState, items: Line[]): Promise<Reservation>;
  find(orderId: string): Promise<Reservation | undefined>;
  /** Moves from one state to the next; whoever moved first wins. Returns the reservation as it now is. */
  transition(orderId: string, from: ReservationState, to: ReservationState, reason?: string): Promise<Reservation>;
}

function fold(orderId: string, events: readonly ReservationEvent[]): Reservation | undefined {
  const last = events.at(-1);
  if (!last) return undefined;
  const reason = events.findLast((e) => e.reason !== undefined)?.reason;
  return { orderId, state: last.state, items: events[0]?.items ?? [], ...(reason === undefined ? {} : { reason }) };
}

/** A reservation is a short stream of state changes; each change is an insert that only one writer wins. */
export function createReservationStore(streams: EventStreamStore<ReservationEvent>): ReservationStore {
  const find = async (orderId: string) => fold(orderId, (await streams.read(orderId)).events);

  return {
    find,
    async getOrCreate(orderId, state, items) {
      try {
        await streams.append(orderId, 0, [{ state, items }]);
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
      }
      return (await find(orderId))!;
    },
    async transition(orderId, from, to, reason) {
      for (;;) {
        const stream = await streams.read(orderId);
        const current = fold(orderId, stream.events);
        if (current?.state !== from) return current!;
        try {
          await streams.append(orderId, stream.version, [{ state: to, ...(reason === undefined ? {} : { reason }) }]);
          return (await find(orderId))!;
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
        }
      }
    },
  };
}
