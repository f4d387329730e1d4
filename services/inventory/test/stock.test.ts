import { CLOSED_KEPT_MS, decideHold, decideRelease, foldStock, type StockEvent } from '../src/domain/stock';

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

  test("an order whose hold closed is remembered for CLOSED_KEPT_MS of the stream's time, then forgotten: the state does not grow with every order", () => {
    const big: StockEvent = { kind: 'set', name: 'Seat', price: 100, available: 1_000_000 };
    const closedAt = 5_000;
    // Order o<n> is held and committed at 5 000 + n ms; o1's hold closed at 5 001.
    const orders = (n: number): StockEvent[] => [
      { kind: 'hold', orderId: `o${n}`, quantity: 1 },
      { kind: 'commit', orderId: `o${n}` },
    ];
    const history = [big, ...Array.from({ length: 10 }, (_, i) => orders(i + 1)).flat()];
    const times = [0, ...Array.from({ length: 10 }, (_, i) => [closedAt + i + 1, closedAt + i + 1]).flat()];
    const at = (t: number) => foldStock('S', [...history, { kind: 'hold', orderId: 'late', quantity: 1 }], (_, i) => times[i] ?? t);

    const within = at(closedAt + 1 + CLOSED_KEPT_MS - 1);
    expect(decideHold(within, 'o1', 1)).toEqual({ result: 'already-held' });
    expect(within.closed.size).toBe(10);

    const after = at(closedAt + 5 + CLOSED_KEPT_MS); // o1 to o5 closed that long ago, o6 to o10 not
    expect([...after.closed.keys()]).toEqual(['o6', 'o7', 'o8', 'o9', 'o10']);
    expect(decideHold(after, 'o6', 1)).toEqual({ result: 'already-held' });
    expect(decideHold(after, 'o1', 1)).toMatchObject({ result: 'held' }); // no copy can come so late: reserve-stock.ts
    expect(after.available).toBe(1_000_000 - 11);
  });
});
