import { dateTime, enumOf, ref } from '@eventmart/shared/openapi';
import { address, catalog, EVENT_NAMES, quantity, type EventName } from '@eventmart/shared/events';
import { FACTS, type OrderStatus } from '../domain/order';

/** An id a client chooses: no spaces or slashes, as it becomes part of a path. */
const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;

/** The body of POST /orders: what order-routes.ts validates with and openapi.ts documents. */
export const orderRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'items'],
  properties: {
    customerId: id,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: { sku: id, quantity },
      },
    },
    address,
  },
} as const;

/** The Idempotency-Key header of POST /orders. */
export const idempotencyKeySchema = { type: 'string', maxLength: 200 } as const;

const status = enumOf({
  PENDING: 'placed, waiting for payment and stock',
  CONFIRMED: 'paid and reserved',
  SHIPPED: 'the courier has it',
  DELIVERED: 'the customer has it',
  CANCELLED: 'will not be fulfilled (see reason)',
} satisfies Record<OrderStatus, string>);

const placed = catalog['order.placed'].schema.properties;

/** An order as GET /orders/:orderId shows it (store/order-views.ts, OrderView). */
export const orderViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'customerId', 'status', 'items', 'total', 'placedAt', 'updatedAt', 'version'],
  properties: {
    orderId: placed.orderId,
    customerId: placed.customerId,
    status,
    items: placed.items,
    total: placed.total,
    reason: { type: 'string', description: 'Why it was cancelled.' },
    placedAt: dateTime,
    updatedAt: dateTime,
    version: { type: 'integer', minimum: 1, description: 'The number of events in its stream.' },
    traceId: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'The trace its POST started, when one was recorded.' },
  },
};

export const placedOrderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'status'],
  properties: { orderId: placed.orderId, status },
};

export const orderListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orders'],
  properties: { orders: { type: 'array', maxItems: 100, description: 'Newest first.', items: ref('Order') } },
};

/** What an order's stream holds: its own events, and the facts of the others it heard. */
export const STREAM_EVENTS: readonly EventName[] = [...EVENT_NAMES.filter((name) => catalog[name].producer === 'order'), ...FACTS];

export const orderEventsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      description: 'The whole stream, in order.',
      items: {
        anyOf: STREAM_EVENTS.map((name) => ({
          type: 'object',
          additionalProperties: false,
          required: ['type', 'version', 'occurredAt', 'data'],
          properties: { type: { const: name }, version: { type: 'integer', minimum: 1 }, occurredAt: dateTime, data: ref(name) },
        })),
      },
    },
  },
};

export const catalogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['products'],
  properties: { products: { type: 'array', items: ref('product.changed'), description: "Order's replica of the products, as product.changed built it." } },
};
