import type { EventData, EventName } from '@eventmart/shared/events';

/**
 * An order is its stream of events. `fold` derives its state; `placeOrder` and `react`
 * decide which events come next. Order is the saga's process manager:
 *
 *   PENDING ─payment.succeeded + stock.reserved→ CONFIRMED ─shipment.dispatched→ SHIPPED ─shipment.delivered→ DELIVERED
 *   PENDING ─payment.failed | stock.rejected→ CANCELLED (reason kept; payment refunds, inventory releases)
 *
 * Facts may come twice, late or in any order; `react` reaches the same end state whatever
 * the order and however many copies (see test/order.test.ts).
 */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/** An event of the order's own stream. Facts from other services are recorded too, but not re-published. */
export interface RecordedEvent {
  seq: number;
  id: string;
  name: EventName;
  data: unknown;
  occurredAt: string;
  publish: boolean;
}

/** A decision: an event to append, before it has a place in the stream. */
export interface NewEvent {
  name: EventName;
  data: unknown;
  publish: boolean;
}

export type OrderLine = EventData<'order.placed'>['items'][number];

export interface Order {
  orderId: string;
  customerId: string;
  items: OrderLine[];
  total: number;
  address: EventData<'order.placed'>['address'];
  status: OrderStatus;
  reason: string | undefined;
  placedAt: string;
  updatedAt: string;
  version: number;
}

/** The facts order reacts to: what payment, inventory and shipping said. */
export const FACTS = [
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'stock.reserved',
  'stock.rejected',
  'stock.released',
  'shipment.scheduled',
  'shipment.dispatched',
  'shipment.delivered',
] as const satisfies readonly EventName[];
export type FactName = (typeof FACTS)[number];

const STATUS_AFTER: Partial<Record<EventName, OrderStatus>> = {
  'order.placed': 'PENDING',
  'order.confirmed': 'CONFIRMED',
  'order.shipped': 'SHIPPED',
  'order.delivered': 'DELIVERED',
  'order.cancelled': 'CANCELLED',
};

export function fold(events: readonly RecordedEvent[]): Order {
  const [first] = events;
  if (first?.name !== 'order.placed') throw new Error('an order stream starts with order.placed');
  const placed = first.data as EventData<'order.placed'>;
  const order: Order = {
    orderId: placed.orderId,
    customerId: placed.customerId,
    items: placed.items,
    total: placed.total,
    address: placed.address,
    status: 'PENDING',
    reason: undefined,
    placedAt: first.occurredAt,
    updatedAt: first.occurredAt,
    version: 0,
  };
  // Every failure heard of is part of the reason, in a fixed order, so the end state does
  // not depend on which failure arrived first.
  const failures: Partial<Record<'stock.rejected' | 'payment.failed', string>> = {};
  for (const event of events) {
    order.status = STATUS_AFTER[event.name] ?? order.status;
    if (event.name === 'order.cancelled') order.reason = (event.data as EventData<'order.cancelled'>).reason;
    if (event.name === 'stock.rejected' || event.name === 'payment.failed')
      failures[event.name] = failureReason(event.name, (event.data as { reason: string }).reason);
    order.updatedAt = event.occurredAt;
    order.version = event.seq;
  }
  if (order.status === 'CANCELLED') order.reason = [failures['stock.rejected'], failures['payment.failed']].filter(Boolean).join('; ') || order.reason;
  return order;
}

export function placeOrder(order: EventData<'order.placed'>): NewEvent[] {
  return [{ name: 'order.placed', data: order, publish: true }];
}

/** What the order does about one fact: record it (once), and move on if it can. */
export function react(history: readonly RecordedEvent[], fact: { name: FactName; data: { orderId: string; reason?: string } }): NewEvent[] {
  const seen = new Set(history.map((e) => e.name));
  if (seen.has(fact.name)) return []; // a copy of a fact already recorded
  seen.add(fact.name);
  const current = fold(history);
  const { orderId, customerId } = current;
  let { status } = current;
  const next: NewEvent[] = [{ name: fact.name, data: fact.data, publish: false }];
  const emit = (name: EventName, data: unknown = { orderId }) => {
    next.push({ name, data, publish: true });
    status = STATUS_AFTER[name] ?? status;
  };

  if (status === 'PENDING' && (fact.name === 'payment.failed' || fact.name === 'stock.rejected')) {
    emit('order.cancelled', { orderId, customerId, reason: failureReason(fact.name, fact.data.reason) });
  }
  if (status === 'PENDING' && seen.has('payment.succeeded') && seen.has('stock.reserved')) emit('order.confirmed');
  // A delivery may be heard of before its dispatch: it implies it.
  if (status === 'CONFIRMED' && (seen.has('shipment.dispatched') || seen.has('shipment.delivered'))) emit('order.shipped');
  if (status === 'SHIPPED' && seen.has('shipment.delivered')) emit('order.delivered');
  return next;
}

/**
 * The saga's deadline: an order still PENDING when it passes is cancelled, naming who never
 * answered. The cancellation compensates like any other (payment refunds a charge, inventory
 * releases a hold, each also when its late order.placed comes after the cancellation).
 */
export function expire(history: readonly RecordedEvent[], deadlineMs: number): NewEvent[] {
  const { orderId, customerId, status } = fold(history);
  if (status !== 'PENDING') return [];
  const seen = new Set(history.map((e) => e.name));
  const silent = [seen.has('payment.succeeded') ? undefined : 'payment', seen.has('stock.reserved') ? undefined : 'inventory'].filter(Boolean);
  const reason = `deadline passed: no answer from ${silent.join(' and ')} within ${deadlineMs / 1000} s`;
  return [{ name: 'order.cancelled', data: { orderId, customerId, reason }, publish: true }];
}

function failureReason(fact: 'payment.failed' | 'stock.rejected', reason: string | undefined): string {
  return `${fact === 'payment.failed' ? 'payment failed' : 'out of stock'}: ${reason ?? 'no reason given'}`;
}
