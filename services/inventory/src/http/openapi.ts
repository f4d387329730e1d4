import { buildOpenApiDocument, headerParam, pathParam, ref, type OpenApiDocument } from '@eventmart/shared/openapi';
import { productInputSchema } from '../domain/product';
import { ifMatchSchema, productListSchema, productSchema, skuSchema } from './schemas';

const etag = {
  ETag: {
    description: "The product's version in quotes: send it back in If-Match to change the product only if nothing changed it since.",
    schema: { type: 'string' },
  },
};

/** The inventory service's OpenAPI document: `npm run openapi` writes it to docs/openapi/inventory.json; the service serves it at /openapi.json. */
export function buildOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({
    service: 'inventory',
    port: 3002,
    description:
      'Products and their stock. A change of a product is published as product.changed (order keeps a replica of the catalog from it); stock is held and released by events (order.placed, order.cancelled), never through this API.',
    schemas: { Product: productSchema },
    deadLetters: true,
    routes: {
      'GET /products': {
        operationId: 'listProducts',
        summary: 'Every product (1000 at most), by sku.',
        responses: { 200: { description: 'The products.', schema: productListSchema } },
      },
      'GET /products/{sku}': {
        operationId: 'getProduct',
        summary: 'A product, with its version as ETag.',
        parameters: [pathParam('sku', { type: 'string', minLength: 1 }, 'The product.')],
        responses: { 200: { description: 'The product.', schema: ref('Product'), headers: etag } },
        errors: { 404: { PRODUCT_NOT_FOUND: 'no product with that sku' } },
      },
      'PUT /products/{sku}': {
        operationId: 'putProduct',
        summary: 'Creates or changes a product: its name, price and the stock available; publishes product.changed.',
        description:
          'With If-Match (the ETag of a GET) the change is made only if the product is still at that version: an order that held stock since then makes it 412, and the hold is not overwritten.',
        parameters: [pathParam('sku', skuSchema, 'The product.'), headerParam('If-Match', ifMatchSchema, 'Change it only if it is at this version.')],
        body: productInputSchema,
        responses: { 200: { description: 'The product as it now is.', schema: ref('Product'), headers: etag } },
        errors: {
          400: { INVALID_SKU: 'the sku has characters it may not have', INVALID_IF_MATCH: 'If-Match is not an ETag of this API' },
          412: { VERSION_MISMATCH: 'the product is not at the If-Match version (or does not exist): read it again' },
        },
      },
    },
  });
}
