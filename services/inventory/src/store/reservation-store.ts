import type { EventStreamStore } from '@eventmart/shared/event-stream';
import { ConcurrencyError } from '@eventmart/shared/mongo';
import { factOf, type Line, type Reservation, type ReservationState } from '../domain/reservation';

export interface ReservationEvent {
  state: ReservationState;
  items?: Line[];
  reason?: string;
  /** On the first event: the trace of the order it belongs to, continued by every fact published about it. */
  traceparent?: string;
}

export interface ReservationStore {
  streams: EventStreamStore<ReservationEvent>;
  /** The order's reservation, created in `state` with `items` if it has none yet. */
  getOrCreate(orderId: string, state: ReservationState, items: Line[], traceparent?: string): Promise<Reservation>;
  find(orderId: string): Promise<Reservation | undefined>;
  /** Moves from one state to the next; whoever moved first wins. Returns the reservation as it now is. */
  transition(orderId: string, from: ReservationState, to: ReservationState, reason?: string): Promise<Reservation>;
}

export function foldReservation(orderId: string, events: readonly ReservationEvent[]): Reservation | undefined {
  const last = events.at(-1);
  if (!last) return undefined;
  const reason = events.findLast((e) => e.reason !== undefined)?.reason;
  return { orderId, state: last.state, items: events[0]?.items ?? [], ...(reason === undefined ? {} : { reason }) };
}

/** A reservation is a short stream of state changes; each change is an insert that only one writer wins. */
export function createReservationStore(streams: EventStreamStore<ReservationEvent>): ReservationStore {
  const find = async (orderId: string) => foldReservation(orderId, (await streams.read(orderId)).events);

  return {
    streams,
    find,
    async getOrCreate(orderId, state, items, traceparent) {
      const first = { state, items, ...(traceparent === undefined ? {} : { traceparent }) };
      try {
        await streams.append(orderId, 0, [first]);
        return foldReservation(orderId, [first])!; // what it now is: what was just inserted
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
      }
      return (await find(orderId))!;
    },
    async transition(orderId, from, to, reason) {
      for (;;) {
        const stream = await streams.read(orderId);
        const current = foldReservation(orderId, stream.events);
        if (current?.state !== from) return current!;
        try {
          // A move that is a public fact goes out through the outbox, in the same insert.
          const moved = { state: to, ...(reason === undefined ? {} : { reason }) };
          await streams.append(orderId, stream.version, [moved], { outbox: factOf(orderId, to) !== undefined });
          return foldReservation(orderId, [...stream.events, moved])!;
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
        }
      }
    },
  };
}
