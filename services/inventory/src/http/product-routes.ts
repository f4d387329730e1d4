import Router from '@koa/router';
import { NotFoundError, ValidationError } from '@eventmart/shared/errors';
import { bodyValidator } from '@eventmart/shared/validate';
import { productInputSchema, SKU_PATTERN, type ProductInput } from '../domain/product';
import type { ProductStore } from '../store/product-store';
import { setProduct } from '../use-cases/set-product';
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
   * Sets name, price and available (use-cases/set-product.ts). `If-Match: "<version>"` (the
   * ETag of GET) makes it conditional: 412 when the product moved on since that read.
   */
  router.put('/:sku', async (ctx) => {
    const sku = ctx.params.sku!;
    if (!skuPattern.test(sku)) throw new ValidationError('INVALID_SKU', `sku must match ${SKU_PATTERN}`);
    const input = parseProduct(ctx.request.body);
    const product = await setProduct(products, { sku, input, expectedVersion: ifMatchVersion(ctx.get('If-Match')) });
    ctx.set('ETag', `"${product.version}"`);
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
