/** A product as inventory owns it. `available` is what new orders may still take. */
export interface Product {
  sku: string;
  name: string;
  price: number;
  available: number;
  /** Grows with every change; carried by product.changed so replicas never roll back. */
  version: number;
}

export interface ProductInput {
  name: string;
  price: number;
  available: number;
}

export const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

export const productInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'price', 'available'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    price: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    available: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  },
} as const;
