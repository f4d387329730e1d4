import { unpublishedFacts, type Shipment } from '../src/domain/shipment';

const shipment = (state: Shipment['state'], published: Shipment['published']): Shipment => ({ orderId: 'o', shipmentId: 's', state, address: undefined, dueAt: undefined, published });

describe('shipment', () => {
  test('when it jumped ahead, then every fact it passed is still published, in order', () => {
    expect(unpublishedFacts(shipment('delivered', ['shipment.scheduled']))).toEqual(['shipment.dispatched', 'shipment.delivered']);
  });

  test('when awaiting or cancelled, then there is nothing to say', () => {
    expect(unpublishedFacts(shipment('awaiting', []))).toEqual([]);
    expect(unpublishedFacts(shipment('cancelled', []))).toEqual([]);
  });
});
