import { decideHold, decideRelease, foldStock, type StockEvent } from '../src/domain/stock';

const set: StockEvent = { kind: 'set', name: 'Seat', price: 100, available: 3 };

describe('stock', () => {
  test('when the stock covers the line, then it is held; when it does not, then nothing is', () => {
    expect(decideHold(foldStock('S', [set]), 'o1', 3)).toEqual({ result: 'held', event: { kind: 'hold', orderId: 'o1', quantity: 3 } });
    expect(decideHold(foldStock('S', [set]), 'o1', 4)).toEqual({ result: 'short' });
    expect(decideHold(foldStock('S', []), 'o1', 1)).toEqual({ result: 'unknown-sku' });
  });

  test('when a copy of order.placed comes after the order was confirmed (its hold committed), then it holds nothing', () => {
    // A replica read the reservation as pending, stalled, and resumed after the commit.
    const afterCommit = foldStock('S', [set, { kind: 'hold', orderId: 'o1', quantity: 1 }, { kind: 'commit', orderId: 'o1' }]);
    expect(afterCommit.available).toBe(2);
    expect(decideHold(afterCommit, 'o1', 1)).toEqual({ result: 'already-held' });
  });

  test('when an order is released, then its stock is back, once', () => {
    const held = foldStock('S', [set, { kind: 'hold', orderId: 'o1', quantity: 2 }]);
    const release = decideRelease(held, 'o1')!;
    const released = foldStock('S', [set, { kind: 'hold', orderId: 'o1', quantity: 2 }, release]);
    expect(released.available).toBe(3);
    expect(decideRelease(released, 'o1')).toBeUndefined();
    expect(decideHold(released, 'o1', 2)).toEqual({ result: 'already-held' });
  });
});
