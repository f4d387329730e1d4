import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup } from '../src/runner/processes';

/** A process that lives until it is killed. */
const SLEEPER = ['-e', 'setInterval(() => {}, 1000)'];

const until = async (what: string, done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

describe('a process group supervises what it started', () => {
  let dir: string;
  let group: ProcessGroup;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eventmart-processes-'));
    group = new ProcessGroup({ kind: 'files', dir });
  });

  afterEach(async () => {
    await group.stopAll(2_000);
  });

  test('when a process is killed by nobody it knows, then it is started again and the restart is logged', async () => {
    const entry = group.start('app', process.execPath, SLEEPER);
    const first = entry.child.pid!;
    process.kill(first, 'SIGKILL');
    expect(await entry.exited).toBeNull();
    await until('the restart', () => entry.restarts === 1 && entry.child.pid !== first);
    expect(group.list()).toEqual([{ name: 'app', pid: entry.child.pid }]);
    expect(readFileSync(join(dir, 'app.log'), 'utf8')).toContain('[eventmart] app exited (SIGKILL); restarting in 1 s');
  });

  test('when a process is stopped on purpose, then it stays stopped and can be started again', async () => {
    group.start('app', process.execPath, SLEEPER);
    await group.stop('app', 2_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the first backoff
    expect(group.list()).toEqual([]);
    const again = group.start('app', process.execPath, SLEEPER);
    expect(group.list()).toEqual([{ name: 'app', pid: again.child.pid }]);
  });

  test('when a process keeps dying, then it waits longer each time (1 s, 2 s, ...)', async () => {
    const entry = group.start('crasher', process.execPath, ['-e', 'process.exit(3)']);
    await until('two restarts', () => entry.restarts === 2);
    const log = readFileSync(join(dir, 'crasher.log'), 'utf8');
    expect(log).toContain('exited (code 3); restarting in 1 s');
    expect(log).toContain('exited (code 3); restarting in 2 s');
  });

  test('when everything is stopped, then a restart waiting for its backoff does not happen', async () => {
    const entry = group.start('crasher', process.execPath, ['-e', 'process.exit(3)']);
    await entry.exited;
    await group.stopAll(2_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(entry.restarts).toBe(0);
    expect(group.list()).toEqual([]);
  });
});
