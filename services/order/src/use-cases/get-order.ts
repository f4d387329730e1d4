import { NotFoundError } from '@eventmart/shared/errors';
import type { OrderEvent, OrderStore } from '../store/order-store';
import { toView, type OrderView, type OrderViews } from '../store/order-views';

/** The order as it stands, from the projection; a stream not yet projected is folded on the spot. */
export async function getOrder({ store, views }: { store: OrderStore; views: OrderViews }, orderId: string): Promise<OrderView> {
  const view = await views.get(orderId);
  if (view) return view;
  return toView(await getOrderEvents({ store }, orderId));
}

/** The order's whole stream: its own events and the facts it heard. */
export async function getOrderEvents({ store }: { store: OrderStore }, orderId: string): Promise<Array<OrderEvent & { seq: number }>> {
  const stream = await store.read(orderId);
  if (stream.version === 0) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
  return stream.events;
}
