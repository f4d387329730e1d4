import { randomUUID } from 'node:crypto';
import type { Logger } from '@eventmart/shared/logger';
import { retryOnConflict } from '@eventmart/shared/mongo';
import { createSerialTask, type SerialTask } from '@eventmart/shared/serial-task';
import { wakeOnDue } from '@eventmart/shared/timers';
import { currentTraceparent, inSpan } from '@eventmart/shared/tracing';
import { expire } from '../domain/order';
import type { OrderStore } from '../store/order-store';
import type { OrderViews } from '../store/order-views';

/**
 * No order stays PENDING forever. POST /orders puts a timer on the order.placed commit; when
 * it is due, an order still PENDING is cancelled (domain `expire`), by an insert only one
 * replica wins, and the relay publishes order.cancelled, which compensates. A pass runs when
 * a deadline this process set is due, and every sweep interval for the others.
 */
export function createDeadlines(store: OrderStore, views: OrderViews, deadlineMs: number, log: Logger): SerialTask {
  const deadlines = createSerialTask(
    'deadlines',
    async () => {
      for (const commit of await store.due(Date.now())) {
        const orderId = commit.stream;
        const cause = commit.events[0]?.traceparent;
        const expired = await inSpan('order deadline', { parent: cause ?? null, attributes: { 'eventmart.order.id': orderId } }, () =>
          retryOnConflict(async () => {
            const stream = await store.read(orderId);
            const next = expire(stream.events, deadlineMs);
            if (next.length === 0) return undefined;
            const occurredAt = new Date().toISOString();
            const traceparent = currentTraceparent() ?? stream.events[0]?.traceparent;
            const traced = traceparent ? { traceparent } : {};
            const added = next.map((e) => ({ ...e, id: randomUUID(), occurredAt, ...traced }));
            await store.append(orderId, stream.version, added, { outbox: true, at: occurredAt });
            log.warn({ orderId, reason: (next[0]!.data as { reason: string }).reason }, 'order cancelled at its deadline');
            return [...stream.events, ...added.map((e, i) => ({ ...e, seq: stream.version + 1 + i }))];
          }),
        );
        if (expired) await views.project(orderId, expired);
        await store.clearDue(commit._id);
      }
    },
    log,
  );
  wakeOnDue(store, deadlines);
  return deadlines;
}
