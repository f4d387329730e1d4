import type { Product, ProductInput } from './product';

/**
 * A product's stock is an event stream: a `set` from PUT /products, a `hold` per order
 * line, a `release` when an order is cancelled, a `commit` when it is confirmed. The
 * state is their fold, and every decision is checked against it before it is appended:
 * a hold is never appended when it would take `available` below zero, and an order holds
 * a sku at most once (a copy arriving after its commit or release holds nothing).
 *
 * An order whose hold closed (committed or released) is remembered for CLOSED_KEPT_MS of the
 * stream's own time (its events' times), then forgotten, so the state does not grow with
 * every order the sku ever had. A copy that could still hold again is one that read its
 * reservation as pending before the hold closed; reserve-stock.ts lets no copy decide a hold
 * more than a minute after that read, so ten minutes cover it with room for the replicas'
 * clocks to differ by minutes (docs/consistency.md).
 */
export type StockEvent =
  | ({ kind: 'set' } & ProductInput)
  | { kind: 'hold'; orderId: string; quantity: number }
  | { kind: 'release'; orderId: string; quantity: number }
  | { kind: 'commit'; orderId: string };

export interface StockState {
  sku: string;
  exists: boolean;
  name: string;
  price: number;
  available: number;
  /** What each open order holds. */
  holds: Map<string, number>;
  /** Orders whose hold closed lately, with when (epoch ms), oldest first: a late copy of their order.placed must not hold again. */
  closed: Map<string, number>;
  version: number;
}

/** How long an order whose hold closed is remembered, by the times of the stream's events. */
export const CLOSED_KEPT_MS = 10 * 60_000;

export function emptyStock(sku: string): StockState {
  return { sku, exists: false, name: '', price: 0, available: 0, holds: new Map(), closed: new Map(), version: 0 };
}

/** Applies one event, appended at `at` (epoch ms), to the state, in place (the version is the caller's to count). */
export function applyStock(state: StockState, event: StockEvent, at: number): void {
  switch (event.kind) {
    case 'set':
      Object.assign(state, { exists: true, name: event.name, price: event.price, available: event.available });
      break;
    case 'hold':
      state.available -= event.quantity;
      state.holds.set(event.orderId, event.quantity);
      break;
    case 'release':
      state.available += event.quantity;
      state.holds.delete(event.orderId);
      state.closed.set(event.orderId, at);
      break;
    case 'commit':
      state.holds.delete(event.orderId);
      state.closed.set(event.orderId, at);
      break;
  }
  for (const [orderId, closedAt] of state.closed) {
    // The rest closed later (give or take the clocks: kept a little longer); a time that is not a number keeps all.
    if (!(closedAt <= at - CLOSED_KEPT_MS)) break;
    state.closed.delete(orderId);
  }
}

/** The state after `events`, each appended at the time `at` gives it (all at once by default). */
export function foldStock(sku: string, events: readonly StockEvent[], at: (event: StockEvent, index: number) => number = () => 0): StockState {
  const state = emptyStock(sku);
  events.forEach((event, i) => applyStock(state, event, at(event, i)));
  state.version = events.length;
  return state;
}

export function toProduct({ sku, name, price, available, version }: StockState): Product {
  return { sku, name, price, available, version };
}

export type SetResult = 'set' | 'version-mismatch';

/**
 * A `set` replaces name, price and available. With `expectedVersion` (PUT's If-Match) it is
 * appended only if nothing happened to the stock since the caller read it: a hold in between
 * would otherwise be overwritten, and the units it took sold twice.
 */
export function decideSet(state: StockState, input: ProductInput, expectedVersion?: number): { result: SetResult; event?: StockEvent } {
  if (expectedVersion !== undefined && expectedVersion !== state.version) return { result: 'version-mismatch' };
  return { result: 'set', event: { kind: 'set', ...input } };
}

export type HoldResult = 'held' | 'already-held' | 'short' | 'unknown-sku';

export function decideHold(state: StockState, orderId: string, quantity: number): { result: HoldResult; event?: StockEvent } {
  if (!state.exists) return { result: 'unknown-sku' };
  if (state.holds.has(orderId) || state.closed.has(orderId)) return { result: 'already-held' };
  if (state.available < quantity) return { result: 'short' };
  return { result: 'held', event: { kind: 'hold', orderId, quantity } };
}

export function decideRelease(state: StockState, orderId: string): StockEvent | undefined {
  const quantity = state.holds.get(orderId);
  return quantity === undefined ? undefined : { kind: 'release', orderId, quantity };
}

export function decideCommit(state: StockState, orderId: string): StockEvent | undefined {
  return state.holds.has(orderId) ? { kind: 'commit', orderId } : undefined;
}
