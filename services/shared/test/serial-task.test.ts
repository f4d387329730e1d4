import pino from 'pino';
import { createSerialTask } from '../src/serial-task';

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
  });

  test('after stop, a trigger runs nothing', async () => {
    let passes = 0;
    const task = createSerialTask('test', async () => void passes++, log);
    await task.stop();
    task.trigger();
    await task.run();
    expect(passes).toBe(0);
  });
});
