import { factOf, foldShipment } from '../src/domain/shipment';

describe('shipment', () => {
  test('when the address comes after the confirmation, then it is still kept', () => {
    const shipment = foldShipment('o', [
      { kind: 'scheduled' },
      { kind: 'addressed', address: { name: 'A', line1: 'L', city: 'C', postalCode: 'P', country: 'NL' } },
    ]);
    expect(shipment).toMatchObject({ state: 'scheduled', addressed: true, shipmentId: 'shp-o' });
  });

  test('only the courier steps are public facts', () => {
    expect(factOf({ kind: 'dispatched' })).toBe('shipment.dispatched');
    expect(factOf({ kind: 'cancelled' })).toBeUndefined();
  });
});
