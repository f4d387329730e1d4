import { Gauge, type Registry } from 'prom-client';
import type { Commit, EventStreamStore } from './event-stream';
import type { Logger } from './logger';
import { createSerialTask } from './serial-task';

export interface OutboxRelay {
  /** Publishes every unpublished commit now (what the sweep does); resolves when that pass is done. */
  sweep(): Promise<void>;
  /** Sweeps once now (what a crash left behind), then every `intervalMs` (what another replica left behind). */
  start(intervalMs: number): void;
  /** Stops the sweeps and waits for every publish under way. */
  stop(): Promise<void>;
}

/** After a failed publish, the sweep tries again this soon, not only at its next interval. */
const RETRY_AFTER_MS = 1_000;

/**
 * The relay behind an event-stream outbox. `publish` gets unpublished commits of one stream,
 * oldest first, and puts their events on the broker (with ids fixed at append time); then
 * the commits are marked. A crash in between publishes them again with the same ids, which
 * consumers drop.
 *
 * Each commit this process appends is published as soon as its insert lands (the store's
 * `onAppend`), one stream's commits one after another in the order they landed: no query
 * for it. A stream whose publish fails is left to the sweep from then on, so its events
 * never overtake each other; the sweep (at start, a second after a failure and again while it
 * fails, and every `intervalMs`) finds what is unpublished by index: what a crash, an outage or
 * another replica left behind.
 */
export function createOutboxRelay<E>(
  store: EventStreamStore<E>,
  publish: (stream: string, commits: Commit<E>[]) => Promise<void>,
  log: Logger,
  /** Where to report the backlog and lag, under the store's name. */
  metrics?: Registry,
): OutboxRelay {
  if (metrics) reportOutbox(metrics, store as EventStreamStore<unknown>);
  /** The last publish under way per stream: the next one of that stream waits for it. */
  const tails = new Map<string, Promise<void>>();
  /** Streams whose publish failed: the sweep publishes them, in stream order. */
  const stalled = new Set<string>();
  let retry: NodeJS.Timeout | undefined;

  const publishAndMark = async (stream: string, commits: Commit<E>[]) => {
    await publish(stream, commits);
    for (const commit of commits) await store.markPublished(commit._id);
  };

  const sweeper = createSerialTask(
    'outbox sweep',
    async () => {
      const byStream = new Map<string, Commit<E>[]>();
      for (const commit of await store.unpublished()) byStream.set(commit.stream, [...(byStream.get(commit.stream) ?? []), commit]);
      let failed = 0;
      for (const [stream, commits] of byStream) {
        // A stream being published as it is appended is the prompt path's; a leftover of it waits for the next sweep.
        if (tails.has(stream) && !stalled.has(stream)) continue;
        try {
          await publishAndMark(stream, commits);
          stalled.delete(stream);
        } catch (err) {
          failed++;
          log.warn({ err, stream }, 'outbox publish failed, the sweep retries');
        }
      }
      // A failed pass is retried within seconds (serial-task.ts), not at the next interval.
      if (failed > 0) throw new Error(`${failed} stream(s) not published`);
    },
    log,
  );

  const retrySoon = () => {
    retry ??= setTimeout(() => {
      retry = undefined;
      sweeper.trigger();
    }, RETRY_AFTER_MS).unref();
  };

  store.onAppend((commit) => {
    if (commit.published !== false) return;
    const { stream } = commit;
    if (stalled.has(stream)) return retrySoon(); // behind a failed one: the sweep keeps the order
    const tail = (tails.get(stream) ?? Promise.resolve()).then(async () => {
      if (stalled.has(stream)) return retrySoon();
      try {
        await publishAndMark(stream, [commit]);
      } catch (err) {
        stalled.add(stream);
        log.warn({ err, stream }, 'outbox publish failed, the sweep retries');
        retrySoon();
      }
    });
    tails.set(stream, tail);
    void tail.then(() => {
      if (tails.get(stream) === tail) tails.delete(stream);
    });
  });

  return {
    sweep: () => sweeper.run(),
    start(intervalMs) {
      sweeper.trigger();
      sweeper.start(intervalMs);
    },
    async stop() {
      await Promise.all(tails.values());
      clearTimeout(retry); // after the publishes under way: a failing one sets it again
      await sweeper.stop();
    },
  };
}

/** The outboxes each registry reports on: a service may have several (inventory: products, reservations). */
const outboxes = new WeakMap<Registry, Map<string, EventStreamStore<unknown>>>();

/**
 * What the outboxes hold back, by outbox, read at each scrape (one query by index per outbox;
 * commits are counted up to COUNTED). A scrape during a database outage keeps the last values.
 */
function reportOutbox(registry: Registry, store: EventStreamStore<unknown>): void {
  const known = outboxes.get(registry);
  if (known) {
    known.set(store.name, store);
    return;
  }
  const stores = new Map([[store.name, store]]);
  outboxes.set(registry, stores);
  const COUNTED = 500;
  // prom-client collects a registry's metrics concurrently, so both gauges await one reading per
  // scrape: were one gauge to fill the other, a scrape could pair a fresh backlog with a stale lag.
  let reading: Promise<void> | undefined;
  const read = () =>
    (reading ??= (async () => {
      for (const [name, outboxStore] of stores) {
        const commits = await outboxStore.unpublished(COUNTED).catch(() => undefined);
        if (!commits) continue;
        backlog.set({ outbox: name }, commits.length);
        lag.set({ outbox: name }, commits.length === 0 ? 0 : (Date.now() - Math.min(...commits.map((c) => Date.parse(c.at)))) / 1000);
      }
    })().finally(() => (reading = undefined)));
  const backlog = new Gauge({
    name: 'eventmart_outbox_backlog',
    help: `Commits appended but not yet published, by outbox (counted up to ${COUNTED}).`,
    labelNames: ['outbox'],
    registers: [registry],
    collect: read,
  });
  const lag = new Gauge({
    name: 'eventmart_outbox_lag_seconds',
    help: 'Age of the oldest commit not yet published, by outbox; 0 when it is empty.',
    labelNames: ['outbox'],
    registers: [registry],
    collect: read,
  });
}
