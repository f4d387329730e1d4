import type { EventStreamStore } from './event-stream';
import type { SerialTask } from './serial-task';

/**
 * How often a background task looks in the database for work this process was not told of:
 * what a crash or another replica left behind. Work it appends itself is done at once (the
 * relay) or when due (`wakeOnDue`), and a pass that fails is retried within seconds
 * (serial-task.ts), so an idle process queries no more than this. 30 s, not 5: the idle
 * system's CPU falls by about a point of a core (docs/measurements.md); what waits longer is
 * a leftover of a replica that died and did not come back (a restarted relay sweeps at start),
 * and a timer that fell due while its process was down.
 */
export const SWEEP_MS = 30_000;

/** Runs `task` when each timer this process appends to `store` is due (a commit's `due`). */
export function wakeOnDue<E>(store: EventStreamStore<E>, task: SerialTask): void {
  store.onAppend((commit) => {
    if (commit.due !== undefined) whenDue(commit.due, () => task.trigger());
  });
}

/**
 * Calls `run` once `Date.now()` has reached `due`. A timeout can fire a moment early by the
 * wall clock (it counts on another clock), and a pass run then would find nothing due and
 * leave the timer to the next sweep, so an early wake waits again for the rest.
 */
export function whenDue(due: number, run: () => void): void {
  const wait = due - Date.now();
  if (wait <= 0) run();
  else setTimeout(() => whenDue(due, run), wait).unref();
}
