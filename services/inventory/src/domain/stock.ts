import type { Product, ProductInput } from './product';

/**
 * A product's stock is an event stream: a `set` from PUT /products, a `hold` per order
 * line, a `release` when an order is cancelled, a `commit` when it is confirmed. The
 * state is their fold, and every decision is checked against it before it is appended:
 * a hold is never appended when it would take `available` below zero, and an order holds
 * a sku at most once in its life (a copy arriving after its commit or release holds nothing).
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
  /** Every order that ever held this sku: a late copy of its order.placed must not hold again. */
  everHeld: Set<string>;
  version: number;
}

export function emptyStock(sku: string): StockState {
  return { sku, exists: false, name: '', price: 0, available: 0, holds: new Map(), everHeld: new Set(), version: 0 };
}

/** Applies one event to the state, in place (the version is the caller's to count). */
export function applyStock(state: StockState, event: StockEvent): void {
  switch (event.kind) {
    case 'set':
      Object.assign(state, { exists: true, name: event.name, price: event.price, available: event.available });
      break;
    case 'hold':
      state.available -= event.quantity;
      state.holds.set(event.orderId, event.quantity);
      state.everHeld.add(event.orderId);
      break;
    case 'release':
      state.available += event.quantity;
      state.holds.delete(event.orderId);
      break;
    case 'commit':
      state.holds.delete(event.orderId);
      break;
  }
}

export function foldStock(sku: string, events: readonly StockEvent[]): StockState {
  const state = emptyStock(sku);
  for (const event of events) applyStock(state, event);
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
  if (state.everHeld.has(orderId)) return { result: 'already-held' };
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
