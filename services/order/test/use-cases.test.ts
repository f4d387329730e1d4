import pino from 'pino';
import { NotFoundError } from '@eventmart/shared/errors';
import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import type { FactName } from '../src/domain/order';
import { createOrderFolds, type OrderEvent } from '../src/store/order-store';
import { expireOrder } from '../src/use-cases/expire-order';
import { placeOrder } from '../src/use-cases/place-order';
import { reactToFact } from '../src/use-cases/react-to-fact';
import { memoryCatalog, memoryViews } from './memory-stores';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const PLACED_AT = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-01-01T00:05:00Z');

/** An order service's stores in memory, with one order placed (SKU-1 × 2 at 1 250). */
async function placed() {
  const store = memoryEventStreamStore<OrderEvent>('order_events');
  const views = memoryViews(store);
  const catalog = memoryCatalog();
  await catalog.apply({ sku: 'SKU-1', name: 'Lamp', price: 1_250, available: 5, version: 1 });
  const folds = createOrderFolds(store);
  const deps = { store, folds, views, catalog, log: pino({ level: 'silent' }), orderDeadlineMs: 60_000, now: () => LATER };
  const request = { customerId: 'c-1', items: [{ sku: 'SKU-1', quantity: 2 }] };
  const { orderId } = await placeOrder({ ...deps, now: () => PLACED_AT }, { request, idempotencyKey: undefined, traceparent: TRACE });
  const fact = (name: FactName, id = `${name}-1`) => reactToFact(deps, { id, name, data: { orderId, reason: 'why' }, traceparent: undefined });
  const commits = () => [...store.commits.values()].filter((commit) => commit.stream === orderId);
  return { deps, store, orderId, fact, commits };
}

describe('placing an order', () => {
  test('when it is placed, then order.placed is stored for the relay, in the trace of the request, with the deadline as its timer', async () => {
    const { commits } = await placed();
    expect(commits()).toMatchObject([
      {
        seq: 1,
        published: false,
        due: PLACED_AT.getTime() + 60_000,
        events: [{ name: 'order.placed', publish: true, traceparent: TRACE, data: { total: 2_500 } }],
      },
    ]);
  });
});

describe('reacting to a fact about an order', () => {
  test('when payment and stock are both secured, then the order is confirmed, the fact ids recorded and the view up to date', async () => {
    const { deps, orderId, fact, commits } = await placed();
    await fact('payment.succeeded');
    await fact('stock.reserved');
    expect(commits().map(({ cause, events }) => ({ cause, names: events.map((e) => e.name) }))).toEqual([
      { cause: undefined, names: ['order.placed'] },
      { cause: 'payment.succeeded-1', names: ['payment.succeeded'] },
      { cause: 'stock.reserved-1', names: ['stock.reserved', 'order.confirmed'] },
    ]);
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'CONFIRMED', version: 4 });
  });

  test('when the same fact comes again, then nothing is appended', async () => {
    const { fact, commits } = await placed();
    await fact('stock.rejected');
    await fact('stock.rejected');
    expect(commits()).toHaveLength(2);
  });

  test('when the fact is about no order, then NotFoundError (the event is dropped)', async () => {
    const { deps } = await placed();
    await expect(reactToFact(deps, { id: 'e', name: 'payment.succeeded', data: { orderId: 'nobody' }, traceparent: undefined })).rejects.toThrow(NotFoundError);
  });

  test('when a fact moves nothing on, then it is recorded without an outbox mark; the one that confirms carries it', async () => {
    const { fact, commits } = await placed();
    await fact('payment.succeeded');
    await fact('stock.reserved');
    expect(commits().map((commit) => commit.published)).toEqual([false, undefined, false]);
  });

  test('when the order was placed by this process, then its facts are decided without reading its stream', async () => {
    const { store, fact } = await placed();
    const read = jest.spyOn(store, 'read');
    const readAfter = jest.spyOn(store, 'readAfter');
    await fact('payment.succeeded');
    await fact('stock.reserved');
    expect(read).not.toHaveBeenCalled();
    expect(readAfter).not.toHaveBeenCalled();
  });

  test('when another replica recorded a fact first, then a decision on the stale fold loses, catches up and decides again: once each', async () => {
    const { deps, store, orderId, fact, commits } = await placed();
    const otherStore = memoryEventStreamStore<OrderEvent>('order_events', store.commits); // a second replica on the same database
    const other = { ...deps, store: otherStore, folds: createOrderFolds(otherStore), views: memoryViews(otherStore) };
    const onOther = (name: FactName) => reactToFact(other, { id: `${name}-1`, name, data: { orderId }, traceparent: undefined });
    await onOther('stock.reserved');
    await fact('payment.succeeded'); // decided first on this process's fold, which knows only order.placed
    await onOther('payment.succeeded'); // a copy on the other replica, whose fold is now stale
    await fact('stock.reserved'); // a copy on this one
    expect(commits().map(({ cause, events }) => ({ cause, names: events.map((e) => e.name) }))).toEqual([
      { cause: undefined, names: ['order.placed'] },
      { cause: 'stock.reserved-1', names: ['stock.reserved'] },
      { cause: 'payment.succeeded-1', names: ['payment.succeeded', 'order.confirmed'] },
    ]);
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'CONFIRMED', version: 4 });
  });

  test('when two facts about one order are handled at once, then both are recorded and the order is confirmed', async () => {
    const { deps, orderId, fact, commits } = await placed();
    await Promise.all([fact('payment.succeeded'), fact('stock.reserved')]);
    expect(commits().flatMap((commit) => commit.events.map((e) => e.name))).toEqual(
      expect.arrayContaining(['payment.succeeded', 'stock.reserved', 'order.confirmed']),
    );
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'CONFIRMED' });
  });
});

describe('expiring an order at its deadline', () => {
  test('when it is still pending, then it is cancelled once, in the trace given, and the view shows it', async () => {
    const { deps, orderId, commits } = await placed();
    expect(await expireOrder(deps, { orderId, traceparent: TRACE })).toBe(true);
    expect(await expireOrder(deps, { orderId, traceparent: TRACE })).toBe(false);
    expect(commits().at(-1)).toMatchObject({ published: false, events: [{ name: 'order.cancelled', traceparent: TRACE, occurredAt: LATER.toISOString() }] });
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'deadline passed: no answer from payment and inventory within 60 s' });
  });

  test('when the cancellation was appended but not projected (the database failed), then the timer acted on again projects it', async () => {
    const { deps, orderId } = await placed();
    const project = jest.spyOn(deps.views, 'project').mockRejectedValueOnce(new Error('database down'));
    await expect(expireOrder(deps, { orderId, traceparent: TRACE })).rejects.toThrow('database down');
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'PENDING' });
    expect(await expireOrder(deps, { orderId, traceparent: TRACE })).toBe(false);
    expect(await deps.views.get(orderId)).toMatchObject({ status: 'CANCELLED' });
    expect(project).toHaveBeenCalledTimes(2);
  });

  test('when it has moved on, then nothing happens', async () => {
    const { deps, orderId, fact, commits } = await placed();
    await fact('payment.failed');
    expect(await expireOrder(deps, { orderId, traceparent: undefined })).toBe(false);
    expect(commits()).toHaveLength(2);
  });
});
