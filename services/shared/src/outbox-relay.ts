import type { Commit, EventStreamStore } from './event-stream';
import type { Logger } from './logger';
import { createSerialTask, type SerialTask } from './serial-task';

/** One pass publishes every unpublished commit, stream by stream, in stream order. */
export type OutboxRelay = SerialTask;

/**
 * The relay behind an event-stream outbox. `publish` gets the unpublished commits of one
 * stream, oldest first, and puts their events on the broker (with ids fixed at append
 * time); then the commits are marked. A crash in between publishes them again with the
 * same ids, which consumers drop. A stream whose publish fails waits for the next pass,
 * so its events never overtake each other. Runs after each append (prompt) and on a
 * timer (after a crash or a broker outage); one pass at a time per process.
 */
export function createOutboxRelay<E>(
  store: EventStreamStore<E>,
  publish: (stream: string, commits: Commit<E>[]) => Promise<void>,
  log: Logger,
): OutboxRelay {
  return createSerialTask(
    'outbox relay',
    async () => {
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
    },
    log,
  );
}
