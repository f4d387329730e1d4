import type { Commit, EventStreamStore } from './event-stream';
import type { Logger } from './logger';
import { createSerialTask, type SerialTask } from './serial-task';

/**
 * How often a background task looks in the database for work this process was not told of:
 * what a crash or another replica left behind. Work it appends itself is done at once (the
 * relay) or when due (`createTimerTask`), and a pass that fails is retried within seconds
 * (serial-task.ts), so an idle process queries no more than this. 30 s, not 5: the idle
 * system's CPU falls by about a point of a core (docs/measurements.md); what waits longer is
 * a leftover of a replica that died and did not come back (a restarted relay sweeps at start),
 * and a timer that fell due while its process was down.
 */
export const SWEEP_MS = 30_000;

/** How many due timers one query of a pass takes; a full page is followed by another query. */
export const DUE_PAGE = 200;

/**
 * The timers of a store's commits (a commit's `due`): `act` runs on each commit whose time
 * has come, then its timer is taken off. A timer this process appends is acted on when due,
 * from the commit it already holds: no query. A pass (`run`, the sweep interval of `start`,
 * and the retry after a failure) finds the others by index: set before a restart, or by
 * another replica. `act` may run twice on a commit (a sweep and a wake at once, or a crash
 * before the timer came off): it must find its step already taken the second time.
 */
export function createTimerTask<E>(what: string, store: EventStreamStore<E>, act: (commit: Commit<E>) => Promise<void>, log: Logger): SerialTask {
  // The commits this process set that are due and not yet acted on; `sweep`: the next pass queries instead.
  const woken: Commit<E>[] = [];
  let sweep = false;
  let interval: NodeJS.Timeout | undefined;
  const task = createSerialTask(
    what,
    async () => {
      const querying = sweep;
      sweep = false;
      // Each commit woken so far is due by now, so a querying pass finds it too.
      const woke = woken.splice(0);
      let failed: unknown;
      // Acts on each commit; one that fails keeps its timer and does not hold up the others.
      const actOn = async (commits: readonly Commit<E>[]) => {
        for (const commit of commits) {
          try {
            await act(commit);
            await store.clearDue(commit._id);
          } catch (err) {
            failed ??= err;
          }
        }
      };
      try {
        if (!querying) await actOn(woke);
        else
          for (;;) {
            const page = await store.due(Date.now(), DUE_PAGE);
            await actOn(page);
            // A full page may have more behind it; a failure leaves them to the retry.
            if (page.length < DUE_PAGE || failed !== undefined) break;
          }
      } catch (err) {
        failed ??= err; // the query itself
      }
      if (failed !== undefined) {
        sweep = true; // the retry finds what is left by index
        throw failed;
      }
    },
    log,
  );
  const sweepNow = () => {
    sweep = true;
    task.trigger();
  };
  store.onAppend((commit) => {
    if (commit.due === undefined) return;
    whenDue(commit.due, () => {
      woken.push(commit);
      task.trigger();
    });
  });
  return {
    trigger: sweepNow,
    run() {
      sweep = true;
      return task.run();
    },
    start(intervalMs) {
      interval = setInterval(sweepNow, intervalMs);
    },
    async stop() {
      clearInterval(interval);
      await task.stop();
    },
  };
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
