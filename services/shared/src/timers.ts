import type { EventStreamStore } from './event-stream';
import type { SerialTask } from './serial-task';

/**
 * How often a background task looks in the database for work this process was not told of:
 * what a crash or another replica left behind. Work it appends itself is done at once (the
 * relay) or when due (`wakeOnDue`), and a pass that fails is retried within seconds
 * (serial-task.ts), so an idle process queries no more than this. 30 s, not 5: the idle
 * system's CPU falls by about a point of a core (docs/measurements.md); what waits longer is
 * a leftover of a replica that died and did not come back (a restarted one sweeps at start).
 */
export const SWEEP_MS = 30_000;

/** Runs `task` when each timer this process appends to `store` is due (a commit's `due`). */
export function wakeOnDue<E>(store: EventStreamStore<E>, task: SerialTask): void {
  store.onAppend((commit) => {
    if (commit.due !== undefined) setTimeout(() => task.trigger(), Math.max(0, commit.due - Date.now())).unref();
  });
}
