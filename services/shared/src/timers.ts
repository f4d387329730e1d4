import type { EventStreamStore } from './event-stream';
import type { SerialTask } from './serial-task';

/**
 * How often a background task looks in the database for work this process was not told of:
 * what a crash, an outage or another replica left behind. Work it appends itself is done at
 * once (the relay) or when due (`wakeOnDue`), so an idle process queries no more than this.
 */
export const SWEEP_MS = 5_000;

/** Runs `task` when each timer this process appends to `store` is due (a commit's `due`). */
export function wakeOnDue<E>(store: EventStreamStore<E>, task: SerialTask): void {
  store.onAppend((commit) => {
    if (commit.due !== undefined) setTimeout(() => task.trigger(), Math.max(0, commit.due - Date.now())).unref();
  });
}
