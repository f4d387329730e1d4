/**
 * The event catalog: one JSON Schema per event, the single source for the TypeScript
 * types (derived below with json-schema-to-ts), for validation at every subscriber, and
 * for the AsyncAPI document. Money is integer cents; ids are strings.
 */
export const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const cents = { type: 'integer', minimum: 0, maximum: 1_000_000_000 } as const;
export const quantity = { type: 'integer', minimum: 1, maximum: 10_000 } as const;
const reason = { type: 'string', minLength: 1, maxLength: 500 } as const;

const orderOnly = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId'],
  properties: { orderId: id },
} as const;

// Each sku at most once: validateEvent checks it (no JSON Schema keyword compares one property).
const stockItems = {
  type: 'array',
  description: 'Each sku at most once.',
  minItems: 1,
  maxItems: 100,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['sku', 'quantity'],
    properties: { sku: id, quantity },
  },
} as const;

const stockLines = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'items'],
  properties: { orderId: id, items: stockItems },
} as const;

const payment = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'customerId', 'amount'],
  properties: { orderId: id, customerId: id, amount: cents },
} as const;

const shipment = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'shipmentId'],
  properties: { orderId: id, shipmentId: id },
} as const;

export const address = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'line1', 'city', 'postalCode', 'country'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    line1: { type: 'string', minLength: 1, maxLength: 200 },
    city: { type: 'string', minLength: 1, maxLength: 100 },
    postalCode: { type: 'string', minLength: 1, maxLength: 20 },
    country: { type: 'string', minLength: 2, maxLength: 2 },
  },
} as const;

export const catalog = {
  'order.placed': {
    topic: 'orders',
    producer: 'order',
    consumers: ['payment', 'inventory', 'shipping', 'notification'],
    summary: 'A customer placed an order (event-carried state: everything a consumer needs).',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'customerId', 'items', 'total'],
      properties: {
        orderId: id,
        customerId: id,
        items: {
          type: 'array',
          description: 'Each sku at most once.',
          minItems: 1,
          maxItems: 100,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'name', 'quantity', 'unitPrice'],
            properties: { sku: id, name: { type: 'string', minLength: 1, maxLength: 200 }, quantity, unitPrice: cents },
          },
        },
        total: cents,
        address,
      },
    },
  },
  'order.confirmed': {
    topic: 'orders',
    summary: 'Payment and stock are both secured.',
    schema: orderOnly,
    producer: 'order',
    consumers: ['inventory', 'shipping', 'notification'],
  },
  'order.cancelled': {
    topic: 'orders',
    producer: 'order',
    consumers: ['payment', 'inventory', 'shipping', 'notification'],
    summary: 'The order will not be fulfilled; consumers compensate what they did for it.',
    // customerId lets payment find the ledger to refund (or to remember the cancellation in).
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'customerId', 'reason'],
      properties: { orderId: id, customerId: id, reason },
    },
  },
  'order.shipped': { topic: 'orders', summary: 'The courier has the parcel.', schema: orderOnly, producer: 'order', consumers: ['notification'] },
  'order.delivered': { topic: 'orders', summary: 'The customer has the parcel.', schema: orderOnly, producer: 'order', consumers: ['notification'] },
  'payment.succeeded': {
    topic: 'payments',
    summary: 'The order total was charged.',
    schema: payment,
    producer: 'payment',
    consumers: ['order', 'notification'],
  },
  'payment.failed': {
    topic: 'payments',
    producer: 'payment',
    consumers: ['order', 'notification'],
    summary: 'The order could not be charged.',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'customerId', 'amount', 'reason'],
      properties: { orderId: id, customerId: id, amount: cents, reason },
    },
  },
  'payment.refunded': { topic: 'payments', summary: 'A charge was given back.', schema: payment, producer: 'payment', consumers: ['order', 'notification'] },
  'stock.reserved': {
    topic: 'inventory',
    producer: 'inventory',
    consumers: ['order', 'notification'],
    summary: 'Every line of the order is set aside.',
    schema: stockLines,
  },
  'stock.rejected': {
    topic: 'inventory',
    producer: 'inventory',
    consumers: ['order', 'notification'],
    summary: 'Some line of the order cannot be served; nothing was reserved.',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'reason'],
      properties: { orderId: id, reason },
    },
  },
  'stock.released': {
    topic: 'inventory',
    producer: 'inventory',
    consumers: ['order', 'notification'],
    summary: 'A reservation was given back.',
    schema: stockLines,
  },
  'product.changed': {
    topic: 'products',
    producer: 'inventory',
    consumers: ['order', 'notification'],
    summary: 'The state of a product (event-carried state: a replica needs nothing else).',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['sku', 'name', 'price', 'available', 'version'],
      properties: {
        sku: id,
        name: { type: 'string', minLength: 1, maxLength: 200 },
        price: cents,
        available: { type: 'integer', minimum: 0 },
        // Grows with every change of the product: a replica keeps the highest it has seen,
        // so a late or repeated event never rolls it back.
        version: { type: 'integer', minimum: 1 },
      },
    },
  },
  'shipment.scheduled': {
    topic: 'shipments',
    summary: 'A courier slot is booked.',
    schema: shipment,
    producer: 'shipping',
    consumers: ['order', 'notification'],
  },
  'shipment.dispatched': {
    topic: 'shipments',
    summary: 'The parcel left the warehouse.',
    schema: shipment,
    producer: 'shipping',
    consumers: ['order', 'notification'],
  },
  'shipment.delivered': {
    topic: 'shipments',
    summary: 'The parcel reached the customer.',
    schema: shipment,
    producer: 'shipping',
    consumers: ['order', 'notification'],
  },
} as const;
