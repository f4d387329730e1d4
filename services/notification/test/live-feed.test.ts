import { RecentEvents, type FeedEvent } from '../src/domain/recent-events';
import { createLiveFeed } from '../src/events/live-feed';

describe('the live feed', () => {
  test('when an order is placed, then its stream event carries the order without the shipping address', async () => {
    const recent = new RecentEvents(10);
    const feed = createLiveFeed(recent, () => 'now');
    const heard: FeedEvent[] = [];
    feed.listen((event) => heard.push(event));
    const placed = {
      orderId: 'o-1',
      customerId: 'c-1',
      items: [{ sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1250 }],
      total: 1250,
      address: { name: 'Ada', line1: '1 Analytical Way', city: 'London', postalCode: 'N1', country: 'GB' },
    };
    await feed.handlers['order.placed']!({ id: 'e-1', name: 'order.placed', data: placed, traceparent: undefined });
    const { address: _address, ...shown } = placed;
    expect(heard).toEqual([{ id: 'e-1', type: 'eventmart.order.placed.v1', orderId: 'o-1', data: shown, at: 'now' }]);
    expect(recent.since(undefined)).toEqual(heard);
  });
});
