import { ref } from '@eventmart/shared/openapi';
import { catalog } from '@eventmart/shared/events';
import { SKU_PATTERN } from '../domain/product';

/** A sku in the path of PUT /products/:sku. */
export const skuSchema = { type: 'string', pattern: SKU_PATTERN } as const;

/** If-Match: the ETag of a GET (`"7"`, `W/"7"` or `7`); product-routes.ts reads the version from its group. */
export const ifMatchSchema = { type: 'string', pattern: '^(?:W/)?"?(\\d{1,15})"?$' } as const;

/** A product as inventory shows it: the same as the data of product.changed. */
export const productSchema = { ...catalog['product.changed'].schema, description: 'A product: the same as the data of product.changed.' };

export const productListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['products'],
  properties: { products: { type: 'array', maxItems: 1000, items: ref('Product'), description: 'By sku.' } },
};
