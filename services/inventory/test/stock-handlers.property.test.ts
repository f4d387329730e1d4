import fc from 'fast-check';
import pino from 'pino';
import { dispatch } from '@eventmart/shared/pubsub';
import { cloudEventType } from '@eventmart/shared/events';
import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { foldStock, type StockEvent } from '../src/domain/stock';
import { createStockHandlers } from '../src/events/stock-handlers';
import { createProductStore } from '../src/store/product-store';
import { createReservationStore, type ReservationEvent } from '../src/store/reservation-store';

const log = pino({ level: 'silent' });
const SKUS = ['A', 'B', 'C'];
const STOCK = 4;
/** A delivery as the sidecar hands it over: a CloudEvent's id, type and data. */
type Delivery = { id: string; type: string; data: Record<string, unknown> };

/**
 * Inventory's handlers fed generated deliveries: order.placed and order.cancelled for a
 * few orders, with copies, in any order, some of them concurrently (two replicas), then
 * order.confirmed for the reserved ones and late copies of order.placed. Stock never goes
 * below zero, an order never holds a sku twice (not even after its commit), nothing is
 * held for a cancelled order in the end, and stock is conserved.
 */
describe('stock handlers under copies, reordering and concurrency', () => {
  const order = fc.record({
    lines: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 3 }) }), {
      selector: (l) => l.sku,
      minLength: 1,
      maxLength: 3,
    }),
    cancelled: fc.boolean(),
  });

  test('property: never below zero, never twice, nothing left held for a cancelled order, stock conserved', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(order, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        async (orders, copies, parallel) => {
          const stock = memoryEventStreamStore<StockEvent>();
          const reservationStreams = memoryEventStreamStore<ReservationEvent>();
          // Two replicas on one database, each with its own cache of folded stock: one's cache is stale whenever the other wrote.
          // Each replica has its own store objects over the same commits, as each process has its own connection.
          const replicas = [0, 1].map((n) => {
            const products = createProductStore(n === 0 ? stock : memoryEventStreamStore<StockEvent>('memory', stock.commits));
            const ownReservations = n === 0 ? reservationStreams : memoryEventStreamStore<ReservationEvent>('memory', reservationStreams.commits);
            return { products, handlers: createStockHandlers({ products, reservations: createReservationStore(ownReservations) }) };
          });
          const { products } = replicas[0]!;
          const reservations = createReservationStore(reservationStreams);
          for (const sku of SKUS) await products.put(sku, { name: sku, price: 100, available: STOCK });

          const deliveries = orders.flatMap((o, i) => {
            const orderId = `o${i}`;
            const placed = {
              id: `${orderId}-placed`,
              type: cloudEventType('order.placed'),
              data: { orderId, customerId: 'c', items: o.lines.map((l) => ({ ...l, name: l.sku, unitPrice: 100 })), total: 1 },
            };
            const cancelled = { id: `${orderId}-cancelled`, type: cloudEventType('order.cancelled'), data: { orderId, customerId: 'c', reason: 'test' } };
            return o.cancelled ? [placed, cancelled] : [placed];
          });
          for (const [n, pick] of copies.entries()) deliveries.splice((pick * 7 + n) % (deliveries.length + 1), 0, deliveries[pick % deliveries.length]!);

          // Deliver in waves of `parallel` at once, as competing replicas would; RETRY is delivered again.
          const deliver = async (events: readonly Delivery[]) => {
            const pending = [...events];
            for (let rounds = 0; pending.length > 0 && rounds < 200; rounds++) {
              const wave = pending.splice(0, parallel);
              const statuses = await Promise.all(wave.map((event, i) => dispatch(replicas[(rounds + i) % 2]!.handlers, event, log)));
              statuses.forEach((status, i) => status === 'RETRY' && pending.push(wave[i]!));
              for (const sku of SKUS) expect(foldStock(sku, (await stock.read(sku)).events).available).toBeGreaterThanOrEqual(0);
            }
            expect(pending).toEqual([]);
          };
          await deliver(deliveries);
          // The order service confirms what was reserved; then late copies of order.placed arrive.
          const reserved = [];
          for (const [i] of orders.entries()) if ((await reservations.find(`o${i}`))?.state === 'reserved') reserved.push(i);
          await deliver([
            ...reserved.map((i) => ({ id: `o${i}-confirmed`, type: cloudEventType('order.confirmed'), data: { orderId: `o${i}` } })),
            ...deliveries.filter((d) => d.type === cloudEventType('order.placed')),
          ]);

          for (const sku of SKUS) {
            const events = (await stock.read(sku)).events;
            const state = foldStock(sku, events);
            const held = [...state.holds.values()].reduce((a, b) => a + b, 0);
            const committed = events.filter((e) => e.kind === 'commit').map((e) => events.find((h) => h.kind === 'hold' && h.orderId === e.orderId)!);
            const sold = committed.reduce((n, e) => n + (e.kind === 'hold' ? e.quantity : 0), 0);
            expect(state.available + held + sold).toBe(STOCK); // conserved
            for (const [i, o] of orders.entries()) {
              const holds = events.filter((e) => e.kind === 'hold' && e.orderId === `o${i}`).length;
              const releases = events.filter((e) => e.kind === 'release' && e.orderId === `o${i}`).length;
              expect(holds - releases).toBeGreaterThanOrEqual(0);
              expect(holds - releases).toBeLessThanOrEqual(1); // never held twice
              if (o.cancelled) expect(state.holds.has(`o${i}`)).toBe(false);
            }
          }
          for (const [i] of orders.entries()) {
            const states = (await reservations.streams.read(`o${i}`)).events.map((e) => e.state);
            expect(states.includes('reserved') && states.includes('rejected')).toBe(false); // never both
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
