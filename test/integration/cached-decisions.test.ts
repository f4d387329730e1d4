// Decisions on a cached fold, on the real database (FerretDB on PostgreSQL): two processes
// share one database, each trusts its own cache for its first try, and they decide at the same
// time. The database's unique `_id` (`<stream>:<seq>`) is what makes a stale decision lose;
// this checks it does, so each loser decides again on the state as it is and nothing is
// decided twice or lost (services/inventory/test/product-store.test.ts is the same, step by
// step, on the in-memory store).
import type { Db } from 'mongodb';
import { createEventStreamStore } from '@eventmart/shared/event-stream';
import { createProductStore } from '../../services/inventory/src/store/product-store';
import { foldStock, type StockEvent } from '../../services/inventory/src/domain/stock';
import { accountOf, decideCharge, deposit } from '../../services/payment/src/domain/ledger';
import { ledgerStoreOn, type StoredEntry } from '../../services/payment/src/store/ledger-store';
import { useDatabase } from '../support/database';

const client = useDatabase('cached-decisions');
let run = 0;
const freshDb = (): Db => client().db(`cached_decisions_${++run}`);

const STOCK = 10;
const ORDERS = 30;
const orders = Array.from({ length: ORDERS }, (_, i) => `o${i}`);

describe('decisions on a cached fold, two writers on one database', () => {
  test(`a hold decided on a stale cache loses; then ${ORDERS} holds of 1 at once through two replicas take what is left, none lost`, async () => {
    const db = freshDb();
    const [a, b] = [
      createProductStore(await createEventStreamStore<StockEvent>(db, 'stock_events')),
      createProductStore(await createEventStreamStore<StockEvent>(db, 'stock_events')),
    ];
    await a.put('MUG', { name: 'Mug', price: 1_000, available: STOCK });
    await b.get('MUG'); // both caches warm at the same version
    expect(await b.hold('MUG', 'first', 4)).toBe('held');
    // a's cache still says 10: its append at that version must lose, and the decision made again on 6.
    expect(await a.hold('MUG', 'stale', 8)).toBe('short');
    const results = await Promise.all(orders.map((orderId, i) => (i % 2 ? a : b).hold('MUG', orderId, 1)));
    expect(results.filter((r) => r === 'held')).toHaveLength(STOCK - 4);
    expect(results.filter((r) => r === 'short')).toHaveLength(ORDERS - (STOCK - 4));

    // The truth, folded from the database by a third process with no cache.
    const { events } = await (await createEventStreamStore<StockEvent>(db, 'stock_events')).read('MUG');
    const truth = foldStock('MUG', events);
    expect(truth.available).toBe(0);
    expect([...truth.holds.keys()].sort()).toEqual(['first', ...orders.filter((_, i) => results[i] === 'held')].sort());
    expect(events.filter((e) => e.kind === 'hold')).toHaveLength(1 + STOCK - 4); // one hold each, no copy
    for (const replica of [a, b]) expect((await replica.get('MUG'))?.available).toBe(0);
  });

  test(`${ORDERS} charges of 100 at once through two replicas on a balance of ${STOCK * 100}: ${STOCK} charged, the rest declined, balance 0`, async () => {
    const db = freshDb();
    const [a, b] = [
      ledgerStoreOn(await createEventStreamStore<StoredEntry>(db, 'ledger')),
      ledgerStoreOn(await createEventStreamStore<StoredEntry>(db, 'ledger')),
    ];
    await a.settle('ada', () => [deposit(STOCK * 100)]);
    await b.settle('ada', () => []); // b's cache warm too
    await Promise.all(orders.map((orderId, i) => (i % 2 ? a : b).settle('ada', (account) => decideCharge(account, orderId, 100))));

    const { events } = await (await createEventStreamStore<StoredEntry>(db, 'ledger')).read('ada');
    const entries = events.map((entry, seq) => ({ ...entry, seq }));
    expect(accountOf(entries).balance).toBe(0);
    expect(entries.filter((e) => e.kind === 'charge')).toHaveLength(STOCK);
    expect(entries.filter((e) => e.kind === 'decline')).toHaveLength(ORDERS - STOCK);
    // each order decided exactly once
    expect(new Set(entries.filter((e) => e.orderId).map((e) => e.orderId)).size).toBe(ORDERS);
    expect(entries.filter((e) => e.orderId)).toHaveLength(ORDERS);
  });
});
