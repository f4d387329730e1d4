import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times: 100 on every Linux this runs on (getconf CLK_TCK). */
const TICKS = 100;

interface Stat {
  ppid: number;
  pgid: number;
  /** utime + stime, and for a leader also what its exited children used (cutime + cstime). */
  own: number;
  children: number;
}

function readStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command (which may hold spaces), numbered as in proc(5) from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    stats.set(Number(entry), { ppid: Number(fields[1]), pgid: Number(fields[2]), own: utime! + stime!, children: cutime! + cstime! });
  }
  return stats;
}

/**
 * CPU seconds (user + system) used so far by each process the runner started and everything
 * it forked: its process group, and its descendants that made groups of their own
 * (PostgreSQL's backends each call setsid). Children that already exited count through
 * their parent's cutime.
 */
export function cpuByGroup(leaders: ReadonlyArray<{ name: string; pid: number }>): Map<string, number> {
  const byPid = new Map(leaders.map(({ name, pid }) => [pid, name]));
  const stats = readStats();
  const leaderOf = (pid: number): string | undefined => {
    for (let at: number | undefined = pid, hops = 0; at !== undefined && at > 1 && hops < 64; hops++) {
      const stat = stats.get(at);
      const name = byPid.get(at) ?? (stat ? byPid.get(stat.pgid) : undefined);
      if (name !== undefined) return name;
      at = stat?.ppid;
    }
    return undefined;
  };
  const seconds = new Map<string, number>();
  for (const [pid, stat] of stats) {
    const name = leaderOf(pid);
    if (name === undefined) continue;
    const used = stat.own + (byPid.has(pid) ? stat.children : 0);
    seconds.set(name, (seconds.get(name) ?? 0) + used / TICKS);
  }
  return seconds;
}

/** The kind of process a runner name stands for: service, daprd, broker or database. */
export function processKind(name: string): string {
  if (name.endsWith('-dapr')) return 'daprd';
  if (['kafka', 'rabbitmq', 'epmd'].includes(name)) return 'broker';
  if (['postgres', 'ferretdb'].includes(name)) return 'database';
  if (name === 'jaeger') return 'tracing';
  return 'service';
}

/** Resident memory (bytes) of each process the runner started (the leader alone: a service is one process). */
export function rssByName(leaders: ReadonlyArray<{ name: string; pid: number }>): Map<string, number> {
  const rss = new Map<string, number>();
  for (const { name, pid } of leaders) {
    try {
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kib) rss.set(name, Number(kib) * 1024);
    } catch {
      // gone meanwhile
    }
  }
  return rss;
}

/** Samples rssByName every `everyMs` until stopped; the stop function returns each process's peak. */
export function sampleRss(list: () => ReadonlyArray<{ name: string; pid: number }>, everyMs = 500): () => Map<string, number> {
  const peak = new Map<string, number>();
  const sample = () => {
    for (const [name, bytes] of rssByName(list())) peak.set(name, Math.max(peak.get(name) ?? 0, bytes));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}
