import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import type { StockEvent } from '../src/domain/stock';
import { createProductStore, type ProductStore } from '../src/store/product-store';
import { createReservationStore, type ReservationEvent } from '../src/store/reservation-store';
import { RESERVATION_FRESH_MS, reserveStock } from '../src/use-cases/reserve-stock';

/**
 * A sku forgets an order some minutes after its hold closed (domain/stock.ts), which is safe
 * only if no copy of order.placed decides a hold long after it read the reservation as pending.
 */
describe('reserveStock', () => {
  afterEach(() => jest.useRealTimers());

  test('a copy that would hold more than RESERVATION_FRESH_MS after reading its reservation holds nothing and is delivered again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const products = createProductStore(memoryEventStreamStore<StockEvent>());
    const reservations = createReservationStore(memoryEventStreamStore<ReservationEvent>());
    for (const sku of ['A', 'B']) await products.put(sku, { name: sku, price: 100, available: 5 });
    // The copy stalls after its first hold, as a replica in a long pause would.
    const stalling: ProductStore = {
      ...products,
      async hold(...args) {
        const result = await products.hold(...args);
        jest.advanceTimersByTime(RESERVATION_FRESH_MS + 1);
        return result;
      },
    };
    const placed = {
      orderId: 'o1',
      items: [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 1 },
      ],
      traceparent: undefined,
    };

    await expect(reserveStock({ products: stalling, reservations }, placed)).rejects.toThrow('read too long ago to hold B');
    expect((await products.get('B'))?.available).toBe(5);
    expect((await reservations.find('o1'))?.state).toBe('pending');

    // Delivered again, it reads the reservation anew and holds the rest, A once.
    await reserveStock({ products, reservations }, placed);
    expect((await reservations.find('o1'))?.state).toBe('reserved');
    expect((await products.get('A'))?.available).toBe(4);
    expect((await products.get('B'))?.available).toBe(4);
  });
});
