import type { Logger } from '@eventmart/shared/logger';
import { createSerialTask, type SerialTask } from '@eventmart/shared/serial-task';
import { wakeOnDue } from '@eventmart/shared/timers';
import { currentTraceparent, inSpan } from '@eventmart/shared/tracing';
import type { OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';
import { expireOrder } from '../use-cases/expire-order';

/**
 * No order stays PENDING forever. placeOrder puts a timer on the order.placed commit; when
 * it is due, the order is expired (use-cases/expire-order.ts). A pass runs when a deadline
 * this process set is due, and every sweep interval for the others.
 */
export function createDeadlines(store: OrderStore, views: OrderViews, orderDeadlineMs: number, log: Logger): SerialTask {
  const deadlines = createSerialTask(
    'deadlines',
    async () => {
      for (const commit of await store.due(Date.now())) {
        const orderId = commit.stream;
        // The order.placed commit: the cancellation continues the order's trace.
        const cause = commit.events[0]?.traceparent;
        await inSpan('order deadline', { parent: cause ?? null, attributes: { 'eventmart.order.id': orderId } }, () =>
          expireOrder({ store, views, orderDeadlineMs, log }, { orderId, traceparent: currentTraceparent() ?? cause }),
        );
        await store.clearDue(commit._id);
      }
    },
    log,
  );
  wakeOnDue(store, deadlines);
  return deadlines;
}
