import pino from 'pino';
import { Registry } from 'prom-client';
import { createOutboxRelay } from '../src/outbox-relay';
import type { Commit } from '../src/event-stream';
import { memoryEventStreamStore } from './memory-event-stream';

const log = pino({ level: 'silent' });
type E = { n: number };

/** A broker stand-in: records what was published, and can be down or slow. */
function broker() {
  const published: string[] = [];
  const failures: string[] = [];
  let down = false;
  let slow: Promise<void> | undefined;
  return {
    published,
    failures,
    setDown: (value: boolean) => void (down = value),
    holdNext: () => {
      let release!: () => void;
      slow = new Promise((resolve) => (release = resolve));
      return release;
    },
    publish: async (stream: string, commits: Commit<E>[]) => {
      const wait = slow;
      slow = undefined;
      await wait;
      if (down) {
        failures.push(stream);
        throw new Error('broker down');
      }
      for (const commit of commits) for (const event of commit.events) published.push(`${stream}:${event.n}`);
    },
  };
}

/** Waits until `check` holds, checking after each turn of the event loop; fails after `turns`. */
async function until(check: () => boolean, turns = 1_000) {
  for (let i = 0; i < turns && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

describe('outbox relay', () => {
  test('a commit is published as soon as it lands and marked, without a query for unpublished commits', async () => {
    const store = memoryEventStreamStore<E>();
    const unpublished = jest.spyOn(store, 'unpublished');
    const { published, publish } = broker();
    const relay = createOutboxRelay(store, publish, log);
    await store.append('a', 0, [{ n: 1 }, { n: 2 }], { outbox: true });
    await store.append('b', 0, [{ n: 1 }]); // no outbox mark: not the relay's
    await until(() => store.commits.get('a:1')?.published === true);
    expect(published).toEqual(['a:1', 'a:2']);
    expect(unpublished).not.toHaveBeenCalled();
    await relay.stop();
  });

  test("one stream's commits go out in the order they landed, even when the first publish is slow", async () => {
    const store = memoryEventStreamStore<E>();
    const b = broker();
    const relay = createOutboxRelay(store, b.publish, log);
    const release = b.holdNext();
    await store.append('a', 0, [{ n: 1 }], { outbox: true });
    await store.append('a', 1, [{ n: 2 }], { outbox: true });
    await store.append('c', 0, [{ n: 1 }], { outbox: true });
    await until(() => b.published.includes('c:1')); // another stream does not wait
    expect(b.published).toEqual(['c:1']);
    release();
    await until(() => b.published.length === 3);
    expect(b.published).toEqual(['c:1', 'a:1', 'a:2']);
    await relay.stop();
  });

  test('after a failed publish the stream waits for the sweep, which publishes it in order: nothing lost, nothing overtaken', async () => {
    const store = memoryEventStreamStore<E>();
    const b = broker();
    const relay = createOutboxRelay(store, b.publish, log);
    b.setDown(true);
    await store.append('a', 0, [{ n: 1 }], { outbox: true });
    await until(() => b.failures.length === 1);
    b.setDown(false);
    await store.append('a', 1, [{ n: 2 }], { outbox: true }); // behind the failed one: not published on its own
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.published).toEqual([]);
    await relay.sweep();
    expect(b.published).toEqual(['a:1', 'a:2']);
    expect([...store.commits.values()].every((commit) => commit.published)).toBe(true);
    // Unstalled: the next commit goes out on its own again.
    await store.append('a', 2, [{ n: 3 }], { outbox: true });
    await until(() => b.published.length === 3);
    expect(b.published).toEqual(['a:1', 'a:2', 'a:3']);
    await relay.stop();
  });

  test('what a crash left unpublished is published by the sweep at start, once', async () => {
    const store = memoryEventStreamStore<E>();
    await store.append('a', 0, [{ n: 1 }], { outbox: true }); // appended by a process that died before publishing
    const b = broker();
    const relay = createOutboxRelay(store, b.publish, log);
    relay.start(60_000);
    await until(() => store.commits.get('a:1')?.published === true);
    await relay.sweep();
    expect(b.published).toEqual(['a:1']);
    await relay.stop();
  });

  test('reports what each outbox holds back on the registry: commits and the age of the oldest', async () => {
    const store = memoryEventStreamStore<E>('first');
    const other = memoryEventStreamStore<E>('second');
    const b = broker();
    const registry = new Registry();
    const relay = createOutboxRelay(store, b.publish, log, registry);
    const relay2 = createOutboxRelay(other, b.publish, log, registry);
    // One scrape, read whole: both gauges of a scrape must come from the same reading.
    let scrape: Awaited<ReturnType<Registry['getMetricsAsJSON']>> = [];
    const value = (name: string, outbox: string) => scrape.find((m) => m.name === name)!.values.find((v) => v.labels.outbox === outbox)?.value;

    b.setDown(true);
    await store.append('a', 0, [{ n: 1 }], { outbox: true, at: new Date(Date.now() - 5_000).toISOString() });
    await until(() => b.failures.length === 1);
    scrape = await registry.getMetricsAsJSON();
    expect(value('eventmart_outbox_backlog', 'first')).toBe(1);
    expect(value('eventmart_outbox_lag_seconds', 'first')).toBeGreaterThanOrEqual(5);
    expect(value('eventmart_outbox_backlog', 'second')).toBe(0);

    b.setDown(false);
    await relay.sweep();
    scrape = await registry.getMetricsAsJSON();
    expect(value('eventmart_outbox_backlog', 'first')).toBe(0);
    expect(value('eventmart_outbox_lag_seconds', 'first')).toBe(0);
    await relay.stop();
    await relay2.stop();
  });
});
