import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { paymentFacts } from '../src/events/facts';
import { ledgerStoreOn, type StoredEntry } from '../src/store/ledger-store';
import { chargeForOrder } from '../src/use-cases/charge-for-order';
import { deposit } from '../src/use-cases/deposit';
import { refundOrder } from '../src/use-cases/refund-order';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A ledger over streams in memory, and the facts the relay would publish from its new commits. */
function ledger() {
  const streams = memoryEventStreamStore<StoredEntry>('ledger');
  const published = () =>
    [...streams.commits.values()].filter((commit) => commit.published === false).flatMap((commit) => paymentFacts(commit.stream, [commit]));
  return { ledger: ledgerStoreOn(streams), streams, published };
}

const order = { orderId: 'o-1', customerId: 'c-1', total: 3_000, cause: 'placed-1', traceparent: TRACE };

describe("payment's use cases on a customer's ledger", () => {
  test('when the balance covers an order, then it is charged once, recorded with its cause, and payment.succeeded goes out in its trace', async () => {
    const { ledger: store, streams, published } = ledger();
    expect(await deposit(store, { customerId: 'c-1', amount: 5_000 })).toMatchObject([{ kind: 'deposit', amount: 5_000 }]);
    await chargeForOrder(store, order);
    await chargeForOrder(store, order);
    expect([...streams.commits.values()].map((commit) => commit.cause)).toEqual([undefined, 'placed-1']);
    expect(published()).toEqual([
      { id: 'o-1:payment.succeeded', name: 'payment.succeeded', key: 'o-1', traceparent: TRACE, data: { orderId: 'o-1', customerId: 'c-1', amount: 3_000 } },
    ]);
    await refundOrder(store, { ...order, cause: 'cancelled-1' });
    expect(published().map((fact) => fact.name)).toEqual(['payment.succeeded', 'payment.refunded']);
    expect((await streams.read('c-1')).events.map((entry) => entry.kind)).toEqual(['deposit', 'charge', 'refund']);
  });

  test('when the cancellation comes before the order, then nothing is charged or refunded, and nothing goes out', async () => {
    const { ledger: store, streams, published } = ledger();
    await deposit(store, { customerId: 'c-1', amount: 5_000 });
    await refundOrder(store, { ...order, cause: 'cancelled-1' });
    await chargeForOrder(store, order);
    expect(published()).toEqual([]);
    expect((await streams.read('c-1')).events.map((entry) => entry.kind)).toEqual(['deposit', 'void']);
  });
});
