import Router from '@koa/router';
import { bodyValidator, NotFoundError, ValidationError, type OutboxRelay } from '@eventmart/shared';
import { productInputSchema, SKU_PATTERN, type ProductInput } from '../domain/product';
import type { ProductStore } from '../store/product-store';

const parseProduct = bodyValidator<ProductInput>(productInputSchema);
const skuPattern = new RegExp(SKU_PATTERN);

export function productRoutes(products: ProductStore, relay: OutboxRelay): Router {
  const router = new Router({ prefix: '/products' });

  router.get('/', async (ctx) => {
    ctx.body = { products: await products.list() };
  });

  router.get('/:sku', async (ctx) => {
    const product = await products.get(ctx.params.sku!);
    if (!product) throw new NotFoundError('PRODUCT_NOT_FOUND', `no product ${ctx.params.sku}`);
    ctx.body = product;
  });

  router.put('/:sku', async (ctx) => {
    const sku = ctx.params.sku!;
    if (!skuPattern.test(sku)) throw new ValidationError(`sku must match ${SKU_PATTERN}`, 'INVALID_SKU');
    const product = await products.put(sku, parseProduct(ctx.request.body));
    // The change is saved with its outbox mark; publishing now only makes it prompt.
    relay.trigger();
    ctx.body = product;
  });

  return router;
}
