import { mergeLines, outcomeOf } from '../src/domain/reservation';

describe('reservation', () => {
  test('when an order names a sku twice, then it is held as one line', () => {
    expect(mergeLines([{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }])).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 4 },
    ]);
  });

  test('a settled reservation stands for one outcome with a fixed id; an open one for none', () => {
    expect(outcomeOf({ orderId: 'o', state: 'reserved', items: [] })).toEqual({ name: 'stock.reserved', id: 'o:stock.reserved' });
    expect(outcomeOf({ orderId: 'o', state: 'pending', items: [] })).toBeUndefined();
    expect(outcomeOf({ orderId: 'o', state: 'cancelled', items: [] })).toBeUndefined();
  });
});
