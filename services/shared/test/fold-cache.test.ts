import { createFoldCache, type EventStreamStore } from '../src/event-stream';
import { memoryEventStreamStore } from './memory-event-stream';

type E = { n: number };

/** A store that counts the reads (whole and by id) a cache makes of it. */
function counted() {
  const store = memoryEventStreamStore<E>('counted');
  const reads: string[] = [];
  const counting: EventStreamStore<E> = {
    ...store,
    read: (stream) => (reads.push(`read ${stream}`), store.read(stream)),
    readAfter: (stream, version) => (reads.push(`after ${stream}:${version}`), store.readAfter(stream, version)),
  };
  return { store: counting, commits: store.commits, reads };
}

/** A fold that sums its events' numbers; a cache of at most two streams. */
const sums = (store: EventStreamStore<E>) =>
  createFoldCache<E, { sum: number }>(
    store,
    () => ({ sum: 0 }),
    (state, event) => void (state.sum += event.n),
    2,
  );

const add = (n: number) => (state: { sum: number }) => ({ result: state.sum + n, events: [{ n }] });

describe('a fold cache', () => {
  test('when a stream is started here, then its fold needs no read and follows what is appended', async () => {
    const { store, reads } = counted();
    const folds = sums(store);
    await store.append('a', 0, [{ n: 1 }]);
    expect(await folds.decide('a', add(2))).toBe(3);
    expect(folds.cached('a')).toMatchObject({ sum: 3, version: 2 });
    expect(reads).toEqual([]);
  });

  test('when more streams are used than it keeps, then the one used least recently goes, not the one started first', async () => {
    const { store, reads } = counted();
    const folds = sums(store);
    await store.append('a', 0, [{ n: 1 }]);
    await store.append('b', 0, [{ n: 1 }]);
    await folds.decide('a', add(1)); // a is used after b
    await store.append('c', 0, [{ n: 1 }]);
    expect([folds.cached('a')?.sum, folds.cached('b'), folds.cached('c')?.sum]).toEqual([2, undefined, 1]);
    expect(reads).toEqual([]);
  });

  test('when a decision to append nothing is made on a stream not cached, then the stream is read once', async () => {
    const { store, reads } = counted();
    await store.append('a', 0, [{ n: 5 }]);
    const folds = sums(store); // made after the append: a is not cached
    expect(await folds.decide('a', (state) => ({ result: state.sum, events: [] }))).toBe(5);
    expect(reads).toEqual(['read a']);
  });

  test('when a cached fold decides to append nothing, then it is caught up first, so another replica’s append counts', async () => {
    const { store, commits, reads } = counted();
    const folds = sums(store);
    await store.append('a', 0, [{ n: 1 }]);
    await memoryEventStreamStore<E>('another replica', commits).append('a', 1, [{ n: 10 }]);
    expect(await folds.decide('a', (state) => ({ result: state.sum, events: [] }))).toBe(11);
    expect(reads).toEqual(['after a:1']);
  });
});
