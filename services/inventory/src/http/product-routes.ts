import Router from '@koa/router';
import { HttpError, NotFoundError, ValidationError } from '@eventmart/shared/errors';
import { bodyValidator } from '@eventmart/shared/validate';
import { productInputSchema, SKU_PATTERN, type ProductInput } from '../domain/product';
import type { ProductStore } from '../store/product-store';
import { ifMatchSchema } from './schemas';

const parseProduct = bodyValidator<ProductInput>(productInputSchema);
const skuPattern = new RegExp(SKU_PATTERN);
const IF_MATCH = new RegExp(ifMatchSchema.pattern);

export function productRoutes(products: ProductStore): Router {
  const router = new Router({ prefix: '/products' });

  router.get('/', async (ctx) => {
    ctx.body = { products: await products.list() };
  });

  router.get('/:sku', async (ctx) => {
    const product = await products.get(ctx.params.sku!);
    if (!product) throw new NotFoundError('PRODUCT_NOT_FOUND', `no product ${ctx.params.sku}`);
    ctx.set('ETag', `"${product.version}"`);
    ctx.body = product;
  });

  /**
   * Sets name, price and available. `If-Match: "<version>"` (the ETag of GET) makes it
   * conditional: if an order held stock since that read, the answer is 412 and nothing
   * changes, so the hold is not overwritten. Without it the change is unconditional.
   */
  router.put('/:sku', async (ctx) => {
    const sku = ctx.params.sku!;
    if (!skuPattern.test(sku)) throw new ValidationError('INVALID_SKU', `sku must match ${SKU_PATTERN}`);
    const input = parseProduct(ctx.request.body);
    const expected = ifMatchVersion(ctx.get('If-Match'));
    const { result, product } = await products.put(sku, input, expected);
    if (result === 'version-mismatch') {
      const now = product ? `is at version ${product.version}` : 'does not exist';
      throw new HttpError(412, 'VERSION_MISMATCH', `product ${sku} ${now}, not ${expected}: read it again`);
    }
    // The change is saved with its outbox mark: the relay publishes product.changed.
    ctx.set('ETag', `"${product!.version}"`);
    ctx.body = product;
  });

  return router;
}

/** The version an If-Match header names (`"7"`, `W/"7"` or `7`); undefined without the header. */
function ifMatchVersion(header: string): number | undefined {
  if (header === '') return undefined;
  const match = IF_MATCH.exec(header.trim());
  if (!match) throw new ValidationError('INVALID_IF_MATCH', 'If-Match must be the product\'s ETag, a version in quotes: "7"');
  return Number(match[1]);
}
