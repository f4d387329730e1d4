import pino from 'pino';
import { createSerialTask, RETRY_FIRST_MS, RETRY_MAX_MS } from '../src/serial-task';

const log = pino({ level: 'silent' });

describe('serial task', () => {
  test('never runs two passes at once, and triggers during a pass fold into one more pass', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    let release!: () => void;
    const task = createSerialTask(
      'test',
      async () => {
        passes++;
        running++;
        most = Math.max(most, running);
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        running--;
      },
      log,
    );
    task.trigger();
    for (let i = 0; i < 5; i++) task.trigger(); // while the first pass waits
    release();
    await task.run();
    expect(most).toBe(1);
    expect(passes).toBe(2); // the first, then one owed for the five triggers (which also serves run())
  });

  test('a pass that throws does not stop the next one', async () => {
    let passes = 0;
    const task = createSerialTask(
      'test',
      async () => {
        passes++;
        if (passes === 1) throw new Error('first pass fails');
      },
      log,
    );
    await task.run();
    await task.run();
    expect(passes).toBe(2);
    await task.stop(); // the retry the failed pass set
  });

  test('after stop, a trigger runs nothing', async () => {
    let passes = 0;
    const task = createSerialTask('test', async () => void passes++, log);
    await task.stop();
    task.trigger();
    await task.run();
    expect(passes).toBe(0);
  });

  describe('on its own', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    test('a failed pass is tried again soon without a trigger, later each time it fails again (up to a bound), and not again once it succeeds', async () => {
      let passes = 0;
      let failing = true;
      const task = createSerialTask(
        'test',
        async () => {
          passes++;
          if (failing) throw new Error('the database is down');
        },
        log,
      );
      task.trigger();
      await jest.advanceTimersByTimeAsync(0);
      expect(passes).toBe(1);
      // 1 s, 2 s, 4 s, then the bound (5 s) between passes while they fail.
      for (const wait of [RETRY_FIRST_MS, 2 * RETRY_FIRST_MS, 4 * RETRY_FIRST_MS, RETRY_MAX_MS, RETRY_MAX_MS]) {
        const before = passes;
        await jest.advanceTimersByTimeAsync(wait - 1);
        expect(passes).toBe(before);
        await jest.advanceTimersByTimeAsync(1);
        expect(passes).toBe(before + 1);
      }
      failing = false;
      await jest.advanceTimersByTimeAsync(RETRY_MAX_MS);
      const recovered = passes;
      await jest.advanceTimersByTimeAsync(10 * RETRY_MAX_MS);
      expect(passes).toBe(recovered); // no timer of its own once a pass succeeded
      await task.stop();
    });

    test('start runs a pass each interval; stop ends both the interval and a pending retry', async () => {
      let passes = 0;
      const task = createSerialTask(
        'test',
        async () => {
          passes++;
          if (passes === 2) throw new Error('fails once');
        },
        log,
      );
      task.start(30_000);
      await jest.advanceTimersByTimeAsync(30_000);
      expect(passes).toBe(1);
      await jest.advanceTimersByTimeAsync(30_000); // the second fails: a retry is pending beside the interval
      expect(passes).toBe(2);
      expect(jest.getTimerCount()).toBe(2);
      await task.stop();
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(120_000);
      expect(passes).toBe(2);
    });
  });
});
