import type { Commit, EventStreamStore } from './event-stream';
import type { Logger } from './logger';

export interface OutboxRelay {
  /** One pass: publishes every unpublished commit, stream by stream, in stream order. */
  flush(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * The relay behind an event-stream outbox. `publish` gets the unpublished commits of one
 * stream, oldest first, and puts their events on the broker (with ids fixed at append
 * time); then the commits are marked. A crash in between publishes them again with the
 * same ids, which consumers drop. A stream whose publish fails waits for the next pass,
 * so its events never overtake each other. Runs after each append (prompt) and on a
 * timer (after a crash or a broker outage).
 */
export function createOutboxRelay<E>(
  store: EventStreamStore<E>,
  publish: (stream: string, commits: Commit<E>[]) => Promise<void>,
  log: Logger,
): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function pass() {
    const byStream = new Map<string, Commit<E>[]>();
    for (const commit of await store.unpublished()) byStream.set(commit.stream, [...(byStream.get(commit.stream) ?? []), commit]);
    for (const [stream, commits] of byStream) {
      try {
        await publish(stream, commits);
        for (const commit of commits) await store.markPublished(commit._id);
      } catch (err) {
        log.warn({ err, stream }, 'outbox publish failed, the next pass retries');
      }
    }
  }

  const relay: OutboxRelay = {
    flush() {
      // One pass at a time per process: a stream's events leave in order.
      running = running.then(pass, pass);
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox pass failed'));
      }, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
  return relay;
}
