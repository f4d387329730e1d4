import fc from 'fast-check';
import { accountOf, balanceOf, decideCharge, decideRefund, deposit, type Entry, type NewEntry } from '../src/domain/ledger';

function apply(entries: Entry[], added: NewEntry[]): Entry[] {
  return [...entries, ...added.map((e, i) => ({ ...e, seq: entries.length + i + 1, id: `e${entries.length + i + 1}`, at: 't' }))];
}

describe('ledger', () => {
  test('when the balance covers the total, then the order is charged once', () => {
    let entries = apply([], [deposit(5000)]);
    const first = decideCharge(accountOf(entries), 'o-1', 3000);
    entries = apply(entries, first);
    const copy = decideCharge(accountOf(entries), 'o-1', 3000);
    expect(first).toEqual([{ kind: 'charge', amount: 3000, orderId: 'o-1' }]);
    expect(copy).toEqual([]);
    expect(balanceOf(entries)).toBe(2000);
  });

  test('when a charge was declined, then a copy after a deposit is still declined', () => {
    let entries = apply([], [deposit(100)]);
    const declined = decideCharge(accountOf(entries), 'o-1', 3000);
    expect(declined).toEqual([{ kind: 'decline', amount: 3000, orderId: 'o-1', reason: 'insufficient funds: balance 100, total 3000' }]);
    entries = apply(entries, declined);
    entries = apply(entries, [deposit(10_000)]);
    expect(decideCharge(accountOf(entries), 'o-1', 3000)).toEqual([]);
  });

  test('when the cancellation comes before the order, then the order is never charged', () => {
    let entries = apply([], [deposit(5000)]);
    entries = apply(entries, decideRefund(accountOf(entries), 'o-1'));
    expect(decideCharge(accountOf(entries), 'o-1', 3000)).toEqual([]);
  });

  type Op = { kind: 'deposit'; amount: number } | { kind: 'placed'; orderId: string; total: number } | { kind: 'cancelled'; orderId: string };

  const orders = fc.uniqueArray(fc.record({ orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5'), total: fc.integer({ min: 0, max: 5000 }) }), {
    selector: (o) => o.orderId,
    minLength: 1,
  });

  test('property: money is conserved, and no order is charged or refunded twice, whatever the order and copies', () => {
    fc.assert(
      fc.property(
        orders,
        fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 4 }),
        fc.func(fc.boolean()),
        fc.array(fc.nat(), { maxLength: 30 }),
        (orderList, deposits, cancels, picks) => {
          // Every message that would be delivered, plus copies, in a generated order.
          const messages: Op[] = [
            ...deposits.map((amount) => ({ kind: 'deposit' as const, amount })),
            ...orderList.map(({ orderId, total }) => ({ kind: 'placed' as const, orderId, total })),
            ...orderList.filter((o) => cancels(o.orderId)).map(({ orderId }) => ({ kind: 'cancelled' as const, orderId })),
          ];
          const sequence = picks.map((p) => messages[p % messages.length]!).filter((m) => m.kind !== 'deposit');
          const all = [...messages];
          for (const copy of sequence) all.splice(sequence.indexOf(copy) % (all.length + 1), 0, copy);

          let entries: Entry[] = [];
          for (const op of all) {
            if (op.kind === 'deposit') entries = apply(entries, [deposit(op.amount)]);
            if (op.kind === 'placed') entries = apply(entries, decideCharge(accountOf(entries), op.orderId, op.total));
            if (op.kind === 'cancelled') entries = apply(entries, decideRefund(accountOf(entries), op.orderId));
          }
          const sum = (kind: string) => entries.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount, 0);
          expect(balanceOf(entries)).toBeGreaterThanOrEqual(0);
          expect(sum('deposit')).toBe(balanceOf(entries) + sum('charge') - sum('refund'));
          for (const { orderId } of orderList) {
            const of = (kind: string) => entries.filter((e) => e.kind === kind && e.orderId === orderId).length;
            expect(of('charge')).toBeLessThanOrEqual(1);
            expect(of('refund')).toBeLessThanOrEqual(of('charge'));
            // A cancelled order ends with nothing charged: refunded, or never charged.
            if (cancels(orderId)) expect(of('charge') - of('refund')).toBe(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
