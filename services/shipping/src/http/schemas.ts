import { enumOf } from '@eventmart/shared/openapi';
import { address, catalog } from '@eventmart/shared/events';
import type { ShipmentState } from '../domain/shipment';

const status = enumOf({
  AWAITING: 'the order is not confirmed yet',
  SCHEDULED: 'a courier slot is booked',
  DISPATCHED: 'the parcel left the warehouse',
  DELIVERED: 'the customer has it',
  CANCELLED: 'the order was cancelled',
} satisfies Record<Uppercase<ShipmentState>, string>);

const shipment = catalog['shipment.scheduled'].schema.properties;

/** A shipment as GET /shipments/:orderId shows it. */
export const shipmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'shipmentId', 'status'],
  properties: {
    orderId: shipment.orderId,
    shipmentId: shipment.shipmentId,
    status,
    address,
  },
};
