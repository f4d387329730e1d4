import type { Logger, Publisher } from '@eventmart/shared';
import type { EventData, EventName } from '@eventmart/shared/events';
import { fold } from '../domain/order';
import type { EventStore, Stream } from '../store/event-store';
import type { OrderViews } from '../store/order-views';

export interface OutboxRelay {
  /** Projects and publishes every stream with unpublished events, in stream order. */
  flush(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The relay behind the outbox: for each dirty stream it updates the read model, publishes
 * the events not yet out (same CloudEvent id on every attempt, so a crash between publish
 * and mark only makes a copy that consumers drop), then marks the stream clean — unless
 * it grew meanwhile, in which case the next pass takes it.
 */
export function createOutboxRelay(store: EventStore, views: OrderViews, publisher: Publisher, log: Logger): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function drain(stream: Stream) {
    await views.project(fold(stream.events));
    for (const event of stream.events) {
      if (event.seq <= stream.publishedSeq || !event.publish) continue;
      const data = event.data as EventData<EventName>;
      await publisher.publish({ id: event.id, name: event.name, key: stream.orderId, data });
      await store.markPublished(stream.orderId, event.seq);
      log.debug({ orderId: stream.orderId, eventId: event.id, type: event.name }, 'published');
    }
    await store.markClean(stream.orderId, stream.version);
  }

  const relay: OutboxRelay = {
    flush() {
      // One pass at a time per process keeps each stream's events in order on the wire.
      running = running.then(async () => {
        for (const stream of await store.dirty()) await drain(stream);
      });
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox pass failed, will retry'));
      }, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
  return relay;
}
