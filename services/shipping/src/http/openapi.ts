import { buildOpenApiDocument, pathParam, type OpenApiDocument } from '@eventmart/shared/openapi';
import { shipmentSchema } from './schemas';

/** The shipping service's OpenAPI document: `npm run openapi` writes it to docs/openapi/shipping.json; the service serves it at /openapi.json. */
export function buildOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({
    service: 'shipping',
    port: 3003,
    description:
      'Shipments: one per order, booked on order.confirmed and moved on by a simulated courier (shipment.scheduled, shipment.dispatched, shipment.delivered). This API only shows them.',
    deadLetters: true,
    routes: {
      'GET /shipments/{orderId}': {
        operationId: 'getShipment',
        summary: "An order's shipment.",
        parameters: [pathParam('orderId', { type: 'string', minLength: 1 }, 'The order it ships.')],
        responses: { 200: { description: 'The shipment.', schema: shipmentSchema } },
        errors: { 404: { SHIPMENT_NOT_FOUND: 'shipping has heard nothing of that order' } },
      },
    },
  });
}
