import { PreconditionFailedError } from '@eventmart/shared/errors';
import type { Product, ProductInput } from '../domain/product';
import type { ProductStore } from '../store/product-store';

/**
 * Sets a product's name, price and available stock (creating it), saved with its outbox
 * mark: the relay publishes product.changed. With `expectedVersion` (the version the caller
 * read) it is conditional: if an order held stock since, nothing changes
 * (PreconditionFailedError), so the hold is not overwritten and its units sold twice.
 */
export async function setProduct(
  products: ProductStore,
  { sku, input, expectedVersion }: { sku: string; input: ProductInput; expectedVersion: number | undefined },
): Promise<Product> {
  const { result, product } = await products.put(sku, input, expectedVersion);
  if (result === 'version-mismatch') {
    const now = product ? `is at version ${product.version}` : 'does not exist';
    throw new PreconditionFailedError('VERSION_MISMATCH', `product ${sku} ${now}, not ${expectedVersion}: read it again`);
  }
  return product!;
}
