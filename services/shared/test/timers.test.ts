import { whenDue } from '../src/timers';

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
