import { buildOpenApiDocument, headerParam, pathParam, queryParam, ref, type OpenApiDocument } from '@eventmart/shared/openapi';
import {
  catalogSchema,
  idempotencyKeySchema,
  orderEventsSchema,
  orderListSchema,
  orderRequestSchema,
  orderViewSchema,
  placedOrderSchema,
  STREAM_EVENTS,
} from './schemas';

const orderId = pathParam('orderId', { type: 'string', minLength: 1 }, 'The order id that POST /orders answered.');
const notFound = { 404: { ORDER_NOT_FOUND: 'no order with that id' } };

/** The order service's OpenAPI document: `npm run openapi` writes it to docs/openapi/order.json; the service serves it at /openapi.json. */
export function buildOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({
    service: 'order',
    port: 3000,
    description:
      'Orders, event-sourced. POST /orders appends order.placed to a new stream (the outbox relay publishes it); the GETs read the projection (CQRS). The order then moves on as payment, inventory and shipping answer: its status changes without any further call.',
    schemas: { Order: orderViewSchema },
    events: [...STREAM_EVENTS, 'product.changed'],
    deadLetters: true,
    routes: {
      'POST /orders': {
        operationId: 'placeOrder',
        summary: 'Places an order, priced from the catalog replica.',
        description: 'The same Idempotency-Key (for the same customer) gives the same order, with no second order.placed.',
        parameters: [headerParam('Idempotency-Key', idempotencyKeySchema, 'Makes a retry safe: the order id is derived from it.')],
        body: orderRequestSchema,
        responses: {
          202: {
            description: 'Accepted: the order is PENDING (or, for a repeated Idempotency-Key, as it stands now).',
            schema: placedOrderSchema,
            headers: { Location: { description: '/orders/{orderId}', schema: { type: 'string' } } },
          },
        },
        errors: {
          400: { VALIDATION_FAILED: 'the body does not fit the schema, or Idempotency-Key is too long' },
          422: { UNKNOWN_SKU: 'a sku is not in the catalog', ORDER_NOT_ACCEPTABLE: 'the total is more than an order may carry' },
        },
      },
      'GET /orders': {
        operationId: 'listOrders',
        summary: "A customer's orders, newest first (100 at most).",
        parameters: [queryParam('customerId', { type: 'string', minLength: 1 }, 'The customer.', true)],
        responses: { 200: { description: "The customer's orders.", schema: orderListSchema } },
        errors: { 400: { VALIDATION_FAILED: 'customerId is missing' } },
      },
      'GET /orders/{orderId}': {
        operationId: 'getOrder',
        summary: 'An order as it stands.',
        parameters: [orderId],
        responses: { 200: { description: 'The order.', schema: ref('Order') } },
        errors: notFound,
      },
      'GET /orders/{orderId}/events': {
        operationId: 'getOrderEvents',
        summary: "The order's whole stream: its own events and the facts it heard, for a timeline.",
        parameters: [orderId],
        responses: { 200: { description: 'The events, in order.', schema: orderEventsSchema } },
        errors: notFound,
      },
      'GET /catalog': {
        operationId: 'getCatalog',
        summary: "Order's replica of the products, kept from product.changed.",
        responses: { 200: { description: 'The products as order knows them.', schema: catalogSchema } },
      },
    },
  });
}
