import type { Logger } from '@eventmart/shared/logger';
import { createSerialTask, type SerialTask } from '@eventmart/shared/serial-task';
import { wakeOnDue } from '@eventmart/shared/timers';
import { currentTraceparent, inSpan } from '@eventmart/shared/tracing';
import { NEXT_STEP } from '../domain/shipment';
import type { ShipmentStore } from '../store/shipment-store';

export interface CourierOptions {
  dispatchDelayMs: number;
  deliveryDelayMs: number;
}

/** One pass moves every shipment whose time has come one step on. */
export type Courier = SerialTask;

/**
 * The simulated courier. A scheduled or dispatched shipment carries a timer; when it is
 * due, the next state is appended (an insert only one replica wins) with its own timer,
 * and the relay publishes the fact. A pass runs when a timer this process set is due, and
 * every sweep interval for the others (set before a restart, or by another replica).
 */
export function createCourier(store: ShipmentStore, options: CourierOptions, log: Logger): Courier {
  const courier = createSerialTask(
    'courier',
    async () => {
      const now = Date.now();
      for (const commit of await store.streams.due(now)) {
        const orderId = commit.stream;
        // A replica that lost the race reads the step as taken and decides nothing.
        const step = commit.events.at(-1);
        const cause = step?.kind === 'addressed' ? undefined : step?.traceparent;
        await inSpan('courier step', { parent: cause ?? null, attributes: { 'eventmart.order.id': orderId } }, () =>
          store.change(orderId, (shipment) => {
            const next = NEXT_STEP[shipment.state];
            // Only the commit that put the shipment in its current state may move it on.
            if (!next || step?.kind !== shipment.state) return undefined;
            const traceparent = currentTraceparent() ?? cause;
            const traced = traceparent ? { traceparent } : {};
            return next === 'dispatched' ? { event: { kind: next, ...traced }, due: now + options.deliveryDelayMs } : { event: { kind: next, ...traced } };
          }),
        );
        await store.streams.clearDue(commit._id);
        log.debug({ orderId }, 'courier step');
      }
    },
    log,
  );
  wakeOnDue(store.streams, courier);
  return courier;
}
