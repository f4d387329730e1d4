import { factOf, mergeLines } from '../src/domain/reservation';

describe('reservation', () => {
  test('when an order names a sku twice, then it is held as one line', () => {
    expect(
      mergeLines([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 4 },
    ]);
  });

  test('a settled reservation stands for one public fact with a fixed id; an open one for none', () => {
    expect(factOf('o', 'reserved')).toEqual({ name: 'stock.reserved', id: 'o:stock.reserved' });
    expect(factOf('o', 'pending')).toBeUndefined();
    expect(factOf('o', 'cancelled')).toBeUndefined();
  });
});
