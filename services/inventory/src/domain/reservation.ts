/**
 * A reservation is the inventory side of one order. Its state only moves forward:
 *
 *   (none) ─order.placed→ pending ─all lines held→ reserved ─order.cancelled→ released
 *                            └─a line short→ rejected
 *   (none) ─order.cancelled→ cancelled   (a late order.placed then reserves nothing)
 *
 * It is a short event stream (store/reservation-store.ts): each move is an insert that
 * only one replica wins. The lines themselves are held in the stock streams (stock.ts).
 * reserved, rejected and released are public facts, published through the outbox.
 */
export type ReservationState = 'pending' | 'reserved' | 'rejected' | 'released' | 'cancelled';

export interface Line {
  sku: string;
  quantity: number;
}

export interface Reservation {
  orderId: string;
  state: ReservationState;
  items: Line[];
  reason?: string;
}

/** Several lines of one sku become one line: a hold is per order and sku. */
export function mergeLines(lines: readonly Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => a.sku.localeCompare(b.sku));
}

/** The public fact a move to `state` stands for, if any; its id is fixed, so a re-publish is a copy consumers drop. */
export function factOf(orderId: string, state: ReservationState): { name: 'stock.reserved' | 'stock.rejected' | 'stock.released'; id: string } | undefined {
  if (state !== 'reserved' && state !== 'rejected' && state !== 'released') return undefined;
  return { name: `stock.${state}`, id: `${orderId}:stock.${state}` };
}
