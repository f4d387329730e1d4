import pino from 'pino';
import type { Commit } from '../src/event-stream';
import { RETRY_FIRST_MS } from '../src/serial-task';
import { createTimerTask, DUE_PAGE, whenDue } from '../src/timers';
import { memoryEventStreamStore } from './memory-event-stream';

const log = pino({ level: 'silent' });
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('whenDue', () => {
  afterEach(() => jest.useRealTimers());

  test('runs at once when the time is already due', () => {
    jest.useFakeTimers({ now: 10_000 });
    const run = jest.fn();
    whenDue(9_000, run);
    expect(run).toHaveBeenCalledTimes(1);
  });

  test('a timeout that fires before the wall clock reaches the due time waits again for the rest', () => {
    jest.useFakeTimers({ now: 10_000 });
    const run = jest.fn();
    whenDue(10_100, run);
    // The wall clock falls 3 ms behind the clock the timeout counts on, as it can in Node.
    jest.advanceTimersByTime(50);
    jest.setSystemTime(Date.now() - 3);
    jest.advanceTimersByTime(50); // the timeout fires, by the wall clock 3 ms early
    expect(Date.now()).toBe(10_097);
    expect(run).not.toHaveBeenCalled();
    jest.advanceTimersByTime(3);
    expect(run).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe('createTimerTask', () => {
  type E = { n: number };
  /** A store, a timer task acting on it (recording each commit acted on), and a spy on the store's `due` query. */
  function setup(act: (commit: Commit<E>) => Promise<void> = async () => {}) {
    const store = memoryEventStreamStore<E>();
    const query = jest.spyOn(store, 'due');
    const acted: string[] = [];
    const task = createTimerTask<E>(
      'test timers',
      store,
      async (commit) => {
        await act(commit);
        acted.push(commit._id);
      },
      log,
    );
    return { store, query, acted, task };
  }

  test('a timer this process set is acted on once when due, without a query, and then taken off', async () => {
    const { store, query, acted, task } = setup();
    await store.append('s', 0, [{ n: 1 }], { due: Date.now() + 30 });
    await settle(10);
    expect(acted).toEqual([]);
    await settle(100);
    expect(acted).toEqual(['s:1']);
    expect(query).not.toHaveBeenCalled();
    expect(store.commits.get('s:1')).not.toHaveProperty('due');
    await task.stop();
  });

  test("another replica's timer waits for a pass, which finds it by index", async () => {
    const { store, query, acted, task } = setup();
    const other = memoryEventStreamStore<E>('memory', store.commits); // another process over the same database
    await other.append('s', 0, [{ n: 1 }], { due: Date.now() - 1 });
    await settle(50);
    expect(acted).toEqual([]);
    await task.run();
    expect(acted).toEqual(['s:1']);
    expect(query).toHaveBeenCalledTimes(1);
    expect(store.commits.get('s:1')).not.toHaveProperty('due');
    await task.stop();
  });

  test('a step that fails is tried again by a pass that finds it by index, and its timer stays on until it succeeds', async () => {
    let failures = 1;
    const { store, query, acted, task } = setup(async () => {
      if (failures-- > 0) throw new Error('database down');
    });
    await store.append('s', 0, [{ n: 1 }], { due: Date.now() });
    await settle(50);
    expect(acted).toEqual([]);
    expect(store.commits.get('s:1')).toHaveProperty('due');
    await settle(RETRY_FIRST_MS + 200); // the serial task's first retry
    expect(acted).toEqual(['s:1']);
    expect(query).toHaveBeenCalledTimes(1);
    expect(store.commits.get('s:1')).not.toHaveProperty('due');
    await task.stop();
  });

  test('a step that keeps failing does not hold up the timers behind it', async () => {
    const { store, acted, task } = setup(async (commit) => {
      if (commit.stream === 'bad') throw new Error('this one can never be done');
    });
    await store.append('bad', 0, [{ n: 1 }], { due: Date.now() });
    await store.append('good', 0, [{ n: 2 }], { due: Date.now() + 1 });
    await settle(50);
    expect(acted).toEqual(['good:1']);
    expect(store.commits.get('bad:1')).toHaveProperty('due');
    await task.stop();
  });

  test('a query for due timers that fails is made again by the retry', async () => {
    const { store, query, acted, task } = setup();
    const other = memoryEventStreamStore<E>('memory', store.commits);
    await other.append('s', 0, [{ n: 1 }], { due: Date.now() - 1 });
    query.mockRejectedValueOnce(new Error('database down'));
    await task.run();
    expect(acted).toEqual([]);
    await settle(RETRY_FIRST_MS + 200);
    expect(acted).toEqual(['s:1']);
    await task.stop();
  });

  test('a pass whose query finds a full page queries again until every due timer is done', async () => {
    const { store, acted, task } = setup();
    const other = memoryEventStreamStore<E>('memory', store.commits);
    for (let i = 0; i < DUE_PAGE + 50; i++) await other.append(`s${i}`, 0, [{ n: i }], { due: Date.now() - 1 });
    await task.run();
    expect(acted).toHaveLength(DUE_PAGE + 50);
    await task.stop();
  });

  test('once stopped, a timer that falls due is not acted on', async () => {
    const { store, acted, task } = setup();
    await store.append('s', 0, [{ n: 1 }], { due: Date.now() + 20 });
    await task.stop();
    await settle(80);
    expect(acted).toEqual([]);
  });
});
