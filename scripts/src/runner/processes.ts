import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { consoleLine } from './console';

/**
 * Where the output of a started process goes: one file per process in `dir`, and, for
 * `terminal`, one readable line per record on the terminal too, prefixed with the process.
 */
export type LogSink = { kind: 'terminal'; dir: string } | { kind: 'files'; dir: string };

const COLORS = [36, 33, 35, 32, 34, 91, 92, 93, 94, 95, 96];

export interface StartOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Stop order: higher tiers stop first, a whole tier at once (sidecars 3, apps 2, broker 1, database 0). */
  tier?: number;
  /** Run as this user id and group id (PostgreSQL will not run as root). */
  uid?: number;
  gid?: number;
}

export interface Started {
  name: string;
  tier: number;
  /** The current run: a restart replaces both. */
  child: ChildProcess;
  exited: Promise<number | null>;
  restarts: number;
}

/** Restart backoff, as the kubelet's: 1 s doubling to 30 s, back to 1 s after a minute of running. */
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

/**
 * Every process a run starts, so that one call stops them all, children of children
 * included: each runs in its own process group, and stopping signals the whole group.
 * A process that exits when nobody stopped it is started again with backoff, and the
 * restart is logged, as a kubelet would do with a container.
 */
export class ProcessGroup {
  private readonly started: Started[] = [];
  /** Set once stopping began: a start still under way must not add processes nobody stops. */
  private closed = false;
  private readonly files = new Map<string, WriteStream>();
  private readonly colors: Record<string, number> = {};
  /** Entries being stopped on purpose, and restarts waiting for their backoff. */
  private readonly stopping = new Set<Started>();
  private readonly restartTimers = new Map<Started, NodeJS.Timeout>();
  private color = 0;

  constructor(private readonly sink: LogSink) {}

  start(name: string, command: string, args: readonly string[], options: StartOptions = {}): Started {
    if (this.closed) throw new Error(`not starting ${name}: stopping`);
    const entry = { name, tier: options.tier ?? 0, restarts: 0 } as Started;
    let backoffMs = BACKOFF_FIRST_MS;
    const run = () => {
      const startedAt = Date.now();
      const child = spawn(command, args, {
        cwd: options.cwd,
        ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid }),
        env: { ...process.env, ...options.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.pipeLogs(name, child);
      entry.child = child;
      entry.exited = new Promise<number | null>((resolve) => {
        child.once('exit', (code, signal) => {
          resolve(code);
          // Not stopped by us: started again, as a kubelet restarts a container.
          if (this.closed || !this.started.includes(entry) || this.stopping.has(entry)) return;
          if (Date.now() - startedAt > HEALTHY_AFTER_MS) backoffMs = BACKOFF_FIRST_MS;
          this.write(name, `exited (${signal ?? `code ${code}`}); restarting in ${backoffMs / 1000} s`);
          const timer = setTimeout(() => {
            this.restartTimers.delete(entry);
            if (this.closed || !this.started.includes(entry) || this.stopping.has(entry)) return;
            entry.restarts++;
            run();
          }, backoffMs);
          this.restartTimers.set(entry, timer);
          backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
        });
        child.once('error', (err) => {
          this.write(name, `failed to start: ${err.message}`);
          resolve(-1);
        });
      });
    };
    run();
    this.started.push(entry);
    return entry;
  }

  /** Stops everything, tier by tier: sidecars, then apps, then the broker, then the database. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.closed = true;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    this.restartTimers.clear();
    const tiers = [...new Set(this.started.map((s) => s.tier))].sort((a, b) => b - a);
    for (const tier of tiers) await Promise.all(this.started.filter((s) => s.tier === tier).map((s) => stop(s, graceMs)));
    this.started.length = 0;
    await Promise.all([...this.files.values()].map((file) => new Promise((resolve) => file.end(resolve))));
    this.files.clear();
  }

  /** The processes running now, by name (each is the leader of its own process group). */
  list(): Array<{ name: string; pid: number }> {
    return this.started.flatMap(({ name, child }) => (child.pid === undefined || child.exitCode !== null ? [] : [{ name, pid: child.pid }]));
  }

  /**
   * Sends a signal to the running process of that name and its group, as a fault would: a
   * SIGKILL is a crash (the process is started again with backoff), SIGSTOP/SIGCONT a hang.
   */
  signal(name: string, signal: NodeJS.Signals): void {
    const entry = this.started.find((s) => s.name === name);
    if (entry?.child.pid === undefined) throw new Error(`no process ${name} to signal`);
    signalGroup(entry.child.pid, signal);
  }

  /** Fails as soon as the process exits: a start that died must not pass for a slow one. */
  async running(entry: Started): Promise<never> {
    const code = await entry.exited;
    throw new Error(`${entry.name} exited with code ${code} during start (see its log)`);
  }

  /**
   * Stops the process of that name (a replica going away) and returns its exit code; the
   * name can be started again.
   */
  async stop(name: string, graceMs = 15_000): Promise<number | null | undefined> {
    const entries = this.started.filter((s) => s.name === name);
    for (const entry of entries) {
      this.stopping.add(entry);
      clearTimeout(this.restartTimers.get(entry));
      this.restartTimers.delete(entry);
    }
    await Promise.all(entries.map((entry) => stop(entry, graceMs)));
    for (const entry of entries) {
      this.started.splice(this.started.indexOf(entry), 1);
      this.stopping.delete(entry);
    }
    return entries.length > 0 ? entries.at(-1)!.exited : undefined;
  }

  private pipeLogs(name: string, child: ChildProcess) {
    const file = this.fileOf(name, this.sink.dir);
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    if (this.sink.kind === 'files') return;
    const color = (this.colors[name] ??= COLORS[this.color++ % COLORS.length]!);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        const shown = consoleLine(line);
        if (shown !== undefined) this.show(name, shown, color);
      });
    }
  }

  /** One file per name, kept across restarts. */
  private fileOf(name: string, dir: string): WriteStream {
    let file = this.files.get(name);
    if (!file) {
      file = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
      this.files.set(name, file);
    }
    return file;
  }

  /** A line about the process (its restarts): in its log file, and in red on the terminal. */
  private write(name: string, line: string) {
    this.fileOf(name, this.sink.dir).write(`[eventmart] ${name} ${line}\n`);
    this.show(name, line, 31);
  }

  /** A line on the terminal (when that is the sink), after the process's name in its color. */
  private show(name: string, line: string, color: number) {
    if (this.sink.kind === 'terminal') process.stdout.write(`\x1b[${color}m${name.padEnd(16)}|\x1b[0m ${line}\n`);
  }
}

async function stop({ child, exited }: Started, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child.pid, 'SIGKILL'); // the leader is gone; whatever it left in its group goes too
    return;
  }
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Whatever the leader left in its group (a JVM's or Erlang's helpers) goes too.
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
