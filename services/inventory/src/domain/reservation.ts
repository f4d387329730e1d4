/**
 * A reservation is the inventory side of one order. Its state only moves forward:
 *
 *   (none) ─order.placed→ pending ─all lines held→ reserved ─order.cancelled→ released
 *                            └─a line short→ rejected
 *   (none) ─order.cancelled→ cancelled   (a late order.placed then reserves nothing)
 *
 * Each line is held on the product document under `holds.<orderId>`, in the same write
 * that lowers `available`, so taking or giving back a line is idempotent on its own.
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

/** The outcome event a settled reservation stands for; its id is fixed, so re-publishing is harmless. */
export function outcomeOf(reservation: Reservation): { name: 'stock.reserved' | 'stock.rejected' | 'stock.released'; id: string } | undefined {
  switch (reservation.state) {
    case 'reserved':
      return { name: 'stock.reserved', id: `${reservation.orderId}:stock.reserved` };
    case 'rejected':
      return { name: 'stock.rejected', id: `${reservation.orderId}:stock.rejected` };
    case 'released':
      return { name: 'stock.released', id: `${reservation.orderId}:stock.released` };
    default:
      return undefined;
  }
}
