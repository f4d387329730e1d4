import { ConcurrencyError, type Logger, type OutboxRelay } from '@eventmart/shared';
import { NEXT_STEP } from '../domain/shipment';
import type { ShipmentStore } from '../store/shipment-store';

export interface CourierOptions {
  dispatchDelayMs: number;
  deliveryDelayMs: number;
}

export interface Courier {
  /** Moves every shipment whose time has come one step on. */
  tick(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The simulated courier. A scheduled or dispatched shipment carries a timer; when it is
 * due, the next state is appended (an insert only one replica wins) with its own timer,
 * and the relay publishes the fact.
 */
export function createCourier(store: ShipmentStore, relay: OutboxRelay, options: CourierOptions, log: Logger): Courier {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function pass() {
    const now = Date.now();
    for (const commit of await store.streams.due(now)) {
      const orderId = commit.stream;
      try {
        await store.change(orderId, (shipment) => {
          const next = NEXT_STEP[shipment.state];
          // Only the commit that put the shipment in its current state may move it on.
          if (!next || commit.events.at(-1)?.kind !== shipment.state) return undefined;
          return next === 'dispatched' ? { event: { kind: next }, due: now + options.deliveryDelayMs } : { event: { kind: next } };
        });
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
      }
      await store.streams.clearDue(commit._id);
      log.debug({ orderId }, 'courier step');
    }
    await relay.flush();
  }

  const courier: Courier = {
    tick() {
      running = running.then(pass, pass);
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
