import { createFoldCache, type EventStreamStore } from '@eventmart/shared/event-stream';
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
  /** The reservation's events as of `version` or later: from memory when this process knows them, else read. */
  events(orderId: string, version: number): Promise<readonly ReservationEvent[]>;
  /** Moves from one state to the next; whoever moved first wins. Returns the reservation as it now is. */
  transition(orderId: string, from: ReservationState, to: ReservationState, reason?: string): Promise<Reservation>;
}

export function foldReservation(orderId: string, events: readonly ReservationEvent[]): Reservation | undefined {
  const last = events.at(-1);
  if (!last) return undefined;
  const reason = events.findLast((e) => e.reason !== undefined)?.reason;
  return { orderId, state: last.state, items: events[0]?.items ?? [], ...(reason === undefined ? {} : { reason }) };
}

/**
 * A reservation is a short stream of state changes; each change is an insert that only one
 * writer wins. The streams of the reservations in flight are kept folded in memory (a
 * FoldCache): a move of one this process created needs no read, and one decided on a stale
 * fold loses its insert, catches up and is decided again.
 */
export function createReservationStore(streams: EventStreamStore<ReservationEvent>, maxReservations = 2_000): ReservationStore {
  const folds = createFoldCache<ReservationEvent, { events: ReservationEvent[] }>(
    streams,
    () => ({ events: [] }),
    (state, event) => state.events.push(event),
    maxReservations,
  );
  const find = async (orderId: string) => foldReservation(orderId, (await folds.current(orderId)).events);

  return {
    streams,
    find,
    async events(orderId, version) {
      const cached = folds.cached(orderId);
      return cached && cached.version >= version ? cached.events : (await folds.current(orderId)).events;
    },
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
    transition: (orderId, from, to, reason) =>
      folds.decide(orderId, ({ events }) => {
        const current = foldReservation(orderId, events);
        if (current?.state !== from) return { result: current!, events: [] };
        // A move that is a public fact goes out through the outbox, in the same insert.
        const moved = { state: to, ...(reason === undefined ? {} : { reason }) };
        return { result: foldReservation(orderId, [...events, moved])!, events: [moved], options: { outbox: factOf(orderId, to) !== undefined } };
      }),
  };
}
