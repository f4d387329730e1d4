import { send } from '../http';

/**
 * A small shop to try at once: a few products and customers, written through the public
 * APIs (so product.changed reaches the catalog replica and the page like any change),
 * only into an empty system.
 */
export const SEED_PRODUCTS = [
  { sku: 'MUG-01', name: 'Event mug', price: 1250, available: 25 },
  { sku: 'TEE-01', name: 'Broker T-shirt', price: 1900, available: 10 },
  { sku: 'CAP-01', name: 'Sidecar cap', price: 1500, available: 5 },
  { sku: 'SEAT-A1', name: 'Concert seat A1', price: 4900, available: 1 },
] as const;

export const SEED_ACCOUNTS = [
  { customerId: 'alice', deposit: 50_000 },
  { customerId: 'bob', deposit: 3_000 },
] as const;

/** Seeds an empty shop; returns false when there was already something in it. */
export async function seed(urls: { inventory: string; payment: string }): Promise<boolean> {
  const { products } = await send<{ products: unknown[] }>('GET', `${urls.inventory}/products`);
  if (products.length > 0) return false;
  for (const { sku, ...product } of SEED_PRODUCTS) await send('PUT', `${urls.inventory}/products/${sku}`, product);
  for (const { customerId, deposit } of SEED_ACCOUNTS) await send('POST', `${urls.payment}/accounts/${customerId}/deposits`, { amount: deposit });
  return true;
}
