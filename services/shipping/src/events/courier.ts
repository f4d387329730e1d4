import type { Logger } from '@eventmart/shared/logger';
import type { SerialTask } from '@eventmart/shared/serial-task';
import { createTimerTask } from '@eventmart/shared/timers';
import { currentTraceparent, inSpan } from '@eventmart/shared/tracing';
import type { ShipmentStore } from '../store/shipment-store';
import { advanceShipment } from '../use-cases/advance-shipment';

export interface CourierOptions {
  dispatchDelayMs: number;
  deliveryDelayMs: number;
}

/** One pass moves every shipment whose time has come one step on. */
export type Courier = SerialTask;

/**
 * The simulated courier. A scheduled or dispatched shipment carries a timer; when it is
 * due, the shipment moves on (use-cases/advance-shipment.ts): when it is due for a timer this
 * process set, and on each sweep for the others (set before a restart, or by another
 * replica); see createTimerTask.
 */
export function createCourier(store: ShipmentStore, options: CourierOptions, log: Logger): Courier {
  return createTimerTask(
    'courier',
    store.streams,
    async (commit) => {
      const orderId = commit.stream;
      const step = commit.events.at(-1);
      const cause = step?.kind === 'addressed' ? undefined : step?.traceparent;
      await inSpan('courier step', { parent: cause ?? null, attributes: { 'eventmart.order.id': orderId } }, () =>
        advanceShipment(store, {
          orderId,
          timerSetIn: step?.kind,
          traceparent: currentTraceparent() ?? cause,
          now: Date.now(),
          deliveryDelayMs: options.deliveryDelayMs,
        }),
      );
      log.debug({ orderId }, 'courier step');
    },
    log,
  );
}
