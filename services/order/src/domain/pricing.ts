import type { EventData } from '@eventmart/shared/events';

export interface OrderRequest {
  customerId: string;
  items: { sku: string; quantity: number }[];
  address?: EventData<'order.placed'>['address'];
}

interface PriceEntry {
  name: string;
  price: number;
}

/** Turns a request into the order.placed fact, priced from the catalog replica. Money is integer cents. */
export function priceOrder(orderId: string, request: OrderRequest, catalog: ReadonlyMap<string, PriceEntry>): EventData<'order.placed'> {
  const items = request.items.map(({ sku, quantity }) => {
    const entry = catalog.get(sku);
    if (!entry) throw new Error(`sku ${sku} is not in the catalog`);
    return { sku, name: entry.name, quantity, unitPrice: entry.price };
  });
  const total = items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  return { orderId, customerId: request.customerId, items, total, ...(request.address ? { address: request.address } : {}) };
}
