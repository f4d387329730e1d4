import type { Logger } from './logger';

/** Background work that runs now and then, never twice at once in one process. */
export interface SerialTask {
  /** Asks for a pass soon; never throws. Calls while a pass runs fold into one more pass. */
  trigger(): void;
  /** Asks for a pass and resolves when a pass that started after the call is done. */
  run(): Promise<void>;
  /** Also triggers a pass every `intervalMs`, until stopped. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for the pass under way; later triggers do nothing. */
  stop(): Promise<void>;
}

/** After a failed pass the next one comes by itself this soon, then twice as late each time it fails again, up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 5_000;

/**
 * At most one pass runs and at most one more is owed, however often it is asked for: a
 * slow pass (a broker outage) does not pile up work or memory, and callers that only
 * want the work done soon (`trigger`) never wait for it. A pass that fails (throws) is
 * tried again within seconds, without waiting for a trigger or the interval: the interval
 * can then be long, and an idle process quiet, while an outage still ends in seconds.
 */
export function createSerialTask(what: string, pass: () => Promise<void>, log: Logger): SerialTask {
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;
  let running: Promise<void> | undefined;
  let owed = false;
  let stopped = false;

  async function loop() {
    do {
      owed = false;
      try {
        await pass();
        failures = 0;
      } catch (err) {
        failures++;
        log.warn({ err }, `${what} failed, the next pass retries`);
      }
    } while (owed);
    running = undefined;
    clearTimeout(retry);
    if (failures > 0 && !stopped) {
      retry = setTimeout(() => task.trigger(), Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS)).unref();
    }
  }

  const task: SerialTask = {
    trigger() {
      if (stopped) return;
      if (running) owed = true;
      else running = loop();
    },
    run() {
      task.trigger();
      return running ?? Promise.resolve();
    },
    start(intervalMs) {
      timer = setInterval(() => task.trigger(), intervalMs);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(retry);
      await running;
    },
  };
  return task;
}
