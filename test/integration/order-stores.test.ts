// Order's catalog replica and read model on the real database (FerretDB on PostgreSQL): the
// newest version wins whatever order the writes land in, and what is kept stays bounded.
import type { Db } from 'mongodb';
import { placeOrder, react, type FactName, type NewEvent, type RecordedEvent } from '../../services/order/src/domain/order';
import { createCatalogStore, PRUNE_EVERY, type CatalogEntry } from '../../services/order/src/store/catalog-store';
import { createOrderStore } from '../../services/order/src/store/order-store';
import { createOrderViews, type OrderViews } from '../../services/order/src/store/order-views';
import { useDatabase } from '../support/database';

const client = useDatabase('order-stores');
let run = 0;
const freshDb = (): Db => client().db(`order_stores_${++run}`);

describe("order's catalog replica", () => {
  const mug = (version: number): CatalogEntry => ({ sku: 'MUG', name: `Mug v${version}`, price: 1_000 + version, available: 10, version });

  test('late and repeated versions never replace a newer one', async () => {
    const catalog = await createCatalogStore(freshDb());
    for (const version of [3, 1, 3, 2, 5, 4, 5]) await catalog.apply(mug(version));
    expect((await catalog.find(['MUG'])).get('MUG')).toEqual(mug(5));
  });

  test('a sku that changed a thousand times keeps at most PRUNE_EVERY versions, the newest among them', async () => {
    const db = freshDb();
    const catalog = await createCatalogStore(db);
    for (let version = 1; version <= 1_000; version++) await catalog.apply(mug(version));
    const kept = await db.collection('catalog_versions').countDocuments({ sku: 'MUG' });
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(PRUNE_EVERY);
    expect((await catalog.find(['MUG'])).get('MUG')).toEqual(mug(1_000));
  });

  test('two replicas, each hearing every other version, keep it bounded too', async () => {
    const db = freshDb();
    const [one, two] = [await createCatalogStore(db), await createCatalogStore(db)]; // one database, two processes' memories
    for (let version = 1; version <= 400; version++) await (version % 2 ? one : two).apply(mug(version));
    expect(await db.collection('catalog_versions').countDocuments({ sku: 'MUG' })).toBeLessThanOrEqual(2 * PRUNE_EVERY);
    expect((await two.find(['MUG'])).get('MUG')).toEqual(mug(400));
  });
});

describe("order's read model", () => {
  /** An order's stream after each of `facts`, as the saga appends it: one prefix per commit. */
  function prefixes(orderId: string, customerId: string, placedAt: string, facts: FactName[]): RecordedEvent[][] {
    const stamp = (history: RecordedEvent[], events: NewEvent[]) => [
      ...history,
      ...events.map((e, i) => ({ ...e, seq: history.length + i + 1, id: `${orderId}-${history.length + i + 1}`, occurredAt: placedAt })),
    ];
    const placed = placeOrder({ orderId, customerId, items: [{ sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1250 }], total: 1250 });
    const out = [stamp([], placed)];
    for (const name of facts) out.push(stamp(out.at(-1)!, react(out.at(-1)!, { name, data: { orderId } })));
    return out;
  }
  const SAGA: FactName[] = ['payment.succeeded', 'stock.reserved', 'shipment.scheduled', 'shipment.dispatched', 'shipment.delivered'];
  const open = async (): Promise<{ db: Db; views: OrderViews }> => {
    const db = freshDb();
    return { db, views: await createOrderViews(db, await createOrderStore(db)) };
  };

  test('projections that land in any order, some twice, leave the newest version readable', async () => {
    const { views } = await open();
    const steps = prefixes('o-1', 'c-1', '2026-12-04T06:00:00.000Z', SAGA.slice(0, 3));
    // Racing writers: the newest lands neither first nor last, an older one last and twice.
    for (const i of [1, 3, 0, 2, 2]) await views.project('o-1', steps[i]);
    expect(await views.get('o-1')).toMatchObject({ status: 'CONFIRMED', version: steps[3]!.length });
    expect(await views.byCustomer('c-1', 10)).toEqual([await views.get('o-1')]);
  });

  test('an order that is done keeps one view document; one in flight keeps one per version', async () => {
    const { db, views } = await open();
    const done = prefixes('o-done', 'c-1', '2026-12-04T06:00:00.000Z', SAGA);
    const flying = prefixes('o-flying', 'c-1', '2026-12-04T06:00:01.000Z', SAGA.slice(0, 2));
    for (const step of done) await views.project('o-done', step);
    for (const step of flying) await views.project('o-flying', step);
    expect(await db.collection('order_views').countDocuments({ orderId: 'o-done' })).toBe(1);
    expect(await db.collection('order_views').countDocuments({ orderId: 'o-flying' })).toBe(flying.length);
    expect(await views.get('o-done')).toMatchObject({ status: 'DELIVERED', version: done.at(-1)!.length });
    expect(await views.get('o-flying')).toMatchObject({ status: 'CONFIRMED' });
  });

  test("a customer's list: each order once, at its newest version, newest placed first, cut at the limit", async () => {
    const { views } = await open();
    for (const [n, orderId] of ['o-a', 'o-b', 'o-c'].entries()) {
      for (const step of prefixes(orderId, 'c-1', `2026-12-04T06:00:0${n}.000Z`, SAGA.slice(0, n + 1))) await views.project(orderId, step);
    }
    await views.project('o-other', prefixes('o-other', 'c-2', '2026-12-04T06:00:09.000Z', [])[0]!);
    const list = await views.byCustomer('c-1', 2);
    expect(list.map((v) => [v.orderId, v.version])).toEqual([
      ['o-c', 5],
      ['o-b', 4],
    ]);
    expect((await views.all()).map((v) => v.orderId)).toEqual(['o-a', 'o-b', 'o-c', 'o-other']);
  });

  test("a customer's list reads on past a page full of one order's versions", async () => {
    const { views } = await open();
    const [placed] = prefixes('o-long', 'c-1', '2026-12-04T06:00:05.000Z', []);
    // Facts the order records without moving on: a version each, twenty in flight.
    const stream: RecordedEvent[] = [...placed!];
    for (let seq = 2; seq <= 20; seq++)
      stream.push({ seq, id: `o-long-${seq}`, name: 'stock.released', data: { orderId: 'o-long' }, occurredAt: '2026-12-04T06:00:05.000Z', publish: false });
    for (let n = 1; n <= stream.length; n++) await views.project('o-long', stream.slice(0, n));
    await views.project('o-older', prefixes('o-older', 'c-1', '2026-12-04T06:00:00.000Z', [])[0]!);
    expect((await views.byCustomer('c-1', 2)).map((v) => [v.orderId, v.version])).toEqual([
      ['o-long', 20],
      ['o-older', 1],
    ]);
  });
});
