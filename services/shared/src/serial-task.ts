import type { Logger } from './logger';

/** Background work that runs now and then, never twice at once in one process. */
export interface SerialTask {
  /** Runs one pass after any pass already under way; resolves when it is done. */
  run(): Promise<void>;
  /** Also runs a pass every `intervalMs`, until stopped. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for the pass under way. */
  stop(): Promise<void>;
}

export function createSerialTask(what: string, pass: () => Promise<void>, log: Logger): SerialTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const task: SerialTask = {
    run() {
      running = running.then(pass, pass);
      return running;
    },
    start(intervalMs) {
      timer = setInterval(() => {
        task.run().catch((err: unknown) => log.warn({ err }, `${what} failed, the next pass retries`));
      }, intervalMs);
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
  return task;
}
