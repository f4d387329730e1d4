import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import type { ShipmentEvent } from '../src/domain/shipment';
import { shippingFacts } from '../src/events/facts';
import { shipmentStoreOn } from '../src/store/shipment-store';
import { advanceShipment } from '../src/use-cases/advance-shipment';
import { cancelShipment } from '../src/use-cases/cancel-shipment';
import { noteAddress } from '../src/use-cases/note-address';
import { shipOrder } from '../src/use-cases/ship-order';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const address = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

function shipping() {
  const streams = memoryEventStreamStore<ShipmentEvent>('shipment_events');
  const store = shipmentStoreOn(streams);
  const commits = () => [...streams.commits.values()].filter((commit) => commit.stream === 'o-1');
  const published = () => commits().flatMap((commit) => (commit.published === false ? shippingFacts('o-1', [commit]).map((fact) => fact.name) : []));
  const step = (timerSetIn: ShipmentEvent['kind'] | undefined, now: number) =>
    advanceShipment(store, { orderId: 'o-1', timerSetIn, traceparent: TRACE, now, deliveryDelayMs: 500 });
  return { store, commits, published, step };
}

describe("shipping's use cases", () => {
  test('when an order is placed and confirmed, then the courier schedules, dispatches and delivers it, each step once and on its timer', async () => {
    const { store, commits, published, step } = shipping();
    await noteAddress(store, { orderId: 'o-1', address });
    await shipOrder(store, { orderId: 'o-1', traceparent: TRACE, dispatchDelayMs: 100, now: () => 1_000 });
    await shipOrder(store, { orderId: 'o-1', traceparent: TRACE, dispatchDelayMs: 100, now: () => 9_000 }); // a copy
    expect(commits().at(-1)).toMatchObject({ due: 1_100, events: [{ kind: 'scheduled', traceparent: TRACE }] });

    await step('scheduled', 1_100);
    expect(commits().at(-1)).toMatchObject({ due: 1_600, events: [{ kind: 'dispatched' }] });
    await step('scheduled', 1_100); // a replica that lost the race to the same timer
    await step('dispatched', 1_600);
    await step('delivered', 2_000); // nothing comes after delivered
    expect(published()).toEqual(['shipment.scheduled', 'shipment.dispatched', 'shipment.delivered']);
    expect(await store.get('o-1')).toMatchObject({ state: 'delivered', address });
  });

  test('when an order is cancelled before its confirmation, then it is never scheduled, and nothing goes out', async () => {
    const { store, published } = shipping();
    await cancelShipment(store, { orderId: 'o-1' });
    await shipOrder(store, { orderId: 'o-1', traceparent: undefined, dispatchDelayMs: 100 });
    expect(await store.get('o-1')).toMatchObject({ state: 'cancelled', addressed: false });
    expect(published()).toEqual([]);
  });
});
