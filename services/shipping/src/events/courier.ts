import type { Logger, Publisher } from '@eventmart/shared';
import { unpublishedFacts } from '../domain/shipment';
import type { ShipmentStore } from '../store/shipment-store';

export interface CourierOptions {
  dispatchDelayMs: number;
  deliveryDelayMs: number;
}

export interface Courier {
  /** Moves due shipments on and publishes every fact not yet out. */
  tick(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The simulated courier. Each step is a state change guarded by the state it leaves (one
 * replica wins it) that also marks the shipment dirty; publishing happens after, from the
 * dirty mark, with a stable event id: a crash in between only delays the fact.
 */
export function createCourier(store: ShipmentStore, publisher: Publisher, options: CourierOptions, log: Logger): Courier {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function pass() {
    const now = Date.now();
    await store.advanceDue('scheduled', 'dispatched', now, now + options.deliveryDelayMs);
    await store.advanceDue('dispatched', 'delivered', now, undefined);
    for (const shipment of await store.dirty()) {
      const { orderId, shipmentId } = shipment;
      for (const fact of unpublishedFacts(shipment)) {
        await publisher.publish({ id: `${orderId}:${fact}`, name: fact, key: orderId, data: { orderId, shipmentId } });
        await store.markPublished(orderId, fact);
        log.info({ orderId, shipmentId, type: fact }, 'shipment progressed');
      }
      await store.markClean(orderId, shipment.state);
    }
  }

  const courier: Courier = {
    tick() {
      running = running.then(pass);
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        courier.tick().catch((err: unknown) => log.warn({ err }, 'courier pass failed, will retry'));
      }, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
  return courier;
}
