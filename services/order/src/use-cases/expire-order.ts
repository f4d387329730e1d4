import type { Logger } from '@eventmart/shared/logger';
import { retryOnConflict } from '@eventmart/shared/mongo';
import { expire, fold } from '../domain/order';
import { appendDecided, type OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

export interface ExpireOrderDeps {
  store: OrderStore;
  views: OrderViews;
  /** The deadline the order was given, named in the reason. */
  orderDeadlineMs: number;
  log: Logger;
  now?: () => Date;
}

/**
 * The saga's deadline has passed: an order still PENDING is cancelled (domain `expire`),
 * by an insert only one replica wins, and the relay publishes order.cancelled, which
 * compensates. Says whether this call cancelled it.
 */
export async function expireOrder(
  { store, views, orderDeadlineMs, log, now = () => new Date() }: ExpireOrderDeps,
  { orderId, traceparent }: { orderId: string; traceparent: string | undefined },
): Promise<boolean> {
  const outcome = await retryOnConflict(async () => {
    const stream = await store.read(orderId);
    const next = expire(stream.events, orderDeadlineMs);
    if (next.length === 0) return { events: stream.events, cancelled: false };
    const added = await appendDecided(store, orderId, stream.version, next, { outbox: true, at: now().toISOString(), traceparent });
    log.warn({ orderId, reason: (next[0]!.data as { reason: string }).reason }, 'order cancelled at its deadline');
    return { events: [...stream.events, ...added], cancelled: true };
  });
  // A cancelled order is projected again: an earlier try may have appended its cancellation and
  // stopped before projecting it (a crash, the database), and its timer is acted on once more.
  if (outcome.cancelled || (outcome.events.length > 0 && fold(outcome.events).status === 'CANCELLED')) await views.project(orderId, outcome.events);
  return outcome.cancelled;
}
