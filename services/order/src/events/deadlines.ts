import type { Logger } from '@eventmart/shared/logger';
import type { SerialTask } from '@eventmart/shared/serial-task';
import { createTimerTask } from '@eventmart/shared/timers';
import { currentTraceparent, inSpan } from '@eventmart/shared/tracing';
import type { OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';
import { expireOrder } from '../use-cases/expire-order';

/**
 * No order stays PENDING forever. placeOrder puts a timer on the order.placed commit; when
 * it is due, the order is expired (use-cases/expire-order.ts): when it is due for a deadline
 * this process set, and on each sweep for the others; see createTimerTask.
 */
export function createDeadlines(store: OrderStore, views: OrderViews, orderDeadlineMs: number, log: Logger): SerialTask {
  return createTimerTask(
    'deadlines',
    store,
    async (commit) => {
      const orderId = commit.stream;
      // The order.placed commit: the cancellation continues the order's trace.
      const cause = commit.events[0]?.traceparent;
      await inSpan('order deadline', { parent: cause ?? null, attributes: { 'eventmart.order.id': orderId } }, () =>
        expireOrder({ store, views, orderDeadlineMs, log }, { orderId, traceparent: currentTraceparent() ?? cause }),
      );
    },
    log,
  );
}
