import fc from 'fast-check';
import { expire, fold, placeOrder, react, type FactName, type NewEvent, type RecordedEvent } from '../src/domain/order';

const ORDER = 'o-1';
const placed = placeOrder({ orderId: ORDER, customerId: 'c-1', items: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 1250 }], total: 2500 });

function append(history: RecordedEvent[], events: NewEvent[]): RecordedEvent[] {
  return [...history, ...events.map((e, i) => ({ ...e, seq: history.length + i + 1, id: `e${history.length + i + 1}`, occurredAt: '2026-01-01T00:00:00Z' }))];
}

const fact = (name: FactName, reason: string | undefined = name.endsWith('failed') || name.endsWith('rejected') ? `${name} reason` : undefined) => ({
  name,
  data: { orderId: ORDER, ...(reason ? { reason } : {}) },
});

/** Feeds facts one by one, as the saga handler does, and returns the whole stream. */
function run(facts: ReturnType<typeof fact>[]): RecordedEvent[] {
  let history = append([], placed);
  for (const f of facts) history = append(history, react(history, f));
  return history;
}

const published = (history: RecordedEvent[]) => history.filter((e) => e.publish).map((e) => e.name);

describe('order saga', () => {
  test('when payment succeeds and stock is reserved, then the order is confirmed once', () => {
    const history = run([fact('payment.succeeded'), fact('stock.reserved')]);
    expect(fold(history).status).toBe('CONFIRMED');
    expect(published(history)).toEqual(['order.placed', 'order.confirmed']);
  });

  test('when stock is rejected, then the order is cancelled with the reason', () => {
    const history = run([fact('stock.rejected', 'not enough stock of MUG')]);
    const order = fold(history);
    expect(order.status).toBe('CANCELLED');
    expect(order.reason).toBe('out of stock: not enough stock of MUG');
    expect(history.at(-1)?.data).toEqual({ orderId: ORDER, customerId: 'c-1', reason: 'out of stock: not enough stock of MUG' });
  });

  test('when payment succeeds after the order was cancelled, then it stays cancelled', () => {
    const history = run([fact('payment.failed', 'insufficient funds'), fact('stock.reserved')]);
    expect(fold(history).status).toBe('CANCELLED');
    expect(published(history)).toEqual(['order.placed', 'order.cancelled']);
  });

  test('when a delivery is heard of before its dispatch, then the order is shipped and delivered', () => {
    const history = run([fact('payment.succeeded'), fact('stock.reserved'), fact('shipment.delivered'), fact('shipment.dispatched')]);
    expect(fold(history).status).toBe('DELIVERED');
    expect(published(history)).toEqual(['order.placed', 'order.confirmed', 'order.shipped', 'order.delivered']);
  });

  test('when a fact comes twice, then it is recorded once', () => {
    const history = run([fact('payment.succeeded'), fact('payment.succeeded')]);
    expect(history.filter((e) => e.name === 'payment.succeeded')).toHaveLength(1);
  });

  // The same end state whatever the order of delivery and however many copies.
  const scenarios = {
    confirmed: {
      first: ['payment.succeeded', 'stock.reserved'],
      then: ['shipment.scheduled', 'shipment.dispatched', 'shipment.delivered'],
      status: 'DELIVERED',
    },
    noFunds: { first: ['payment.failed', 'stock.reserved', 'stock.released'], then: [], status: 'CANCELLED' },
    noStock: { first: ['payment.succeeded', 'stock.rejected', 'payment.refunded'], then: [], status: 'CANCELLED' },
    neither: { first: ['payment.failed', 'stock.rejected'], then: [], status: 'CANCELLED' },
  } as const;

  const shuffledWithCopies = (names: readonly FactName[]) =>
    fc
      .tuple(
        fc.shuffledSubarray([...names], { minLength: names.length }),
        fc.array(fc.constantFrom(...(names.length ? names : ['payment.succeeded' as FactName])), { maxLength: names.length ? 4 : 0 }),
        fc.nat(),
      )
      .map(([order, copies, seed]) => {
        const all = [...order];
        copies.forEach((copy, i) => all.splice((seed + i * 7) % (all.length + 1), 0, copy));
        return all;
      });

  test.each(Object.entries(scenarios))('property: %s ends the same in any order and with copies', (_, scenario) => {
    const inOrder = run([...scenario.first, ...scenario.then].map((n) => fact(n)));
    expect(fold(inOrder).status).toBe(scenario.status);
    fc.assert(
      fc.property(shuffledWithCopies(scenario.first), shuffledWithCopies(scenario.then), (first, then) => {
        const history = run([...first, ...then].map((n) => fact(n)));
        expect(fold(history).status).toBe(scenario.status);
        expect(fold(history).reason).toBe(fold(inOrder).reason);
        expect(published(history).sort()).toEqual(published(inOrder).sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('the saga deadline', () => {
  test('when an order is still pending, then it is cancelled, naming who never answered', () => {
    const history = run([fact('stock.reserved')]);
    const next = expire(history, 300_000);
    expect(next).toEqual([
      { name: 'order.cancelled', data: { orderId: ORDER, customerId: 'c-1', reason: 'deadline passed: no answer from payment within 300 s' }, publish: true },
    ]);
    expect(fold(append(history, next))).toMatchObject({ status: 'CANCELLED', reason: 'deadline passed: no answer from payment within 300 s' });
    expect((expire(run([]), 60_000)[0]!.data as { reason: string }).reason).toBe('deadline passed: no answer from payment and inventory within 60 s');
  });

  test('when an order has moved on, or was cancelled already, then the deadline does nothing', () => {
    expect(expire(run([fact('payment.succeeded'), fact('stock.reserved')]), 1_000)).toEqual([]);
    expect(expire(run([fact('payment.failed', 'insufficient funds')]), 1_000)).toEqual([]);
  });

  test('a fact that comes after the deadline cancelled the order does not revive it', () => {
    let history = run([fact('stock.reserved')]);
    history = append(history, expire(history, 1_000));
    history = append(history, react(history, fact('payment.succeeded')));
    expect(fold(history).status).toBe('CANCELLED');
    expect(published(history)).toEqual(['order.placed', 'order.cancelled']);
  });
});
