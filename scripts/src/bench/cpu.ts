import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times: 100 on every Linux this runs on (getconf CLK_TCK). */
const TICKS = 100;

/**
 * CPU seconds (user + system) used so far by each process group, from /proc: a group is a
 * process the runner started and everything it forked (PostgreSQL's backends, a JVM's or
 * Erlang's helpers). Children that already exited count through their parent's cutime.
 */
export function cpuByGroup(leaders: ReadonlyArray<{ name: string; pid: number }>): Map<string, number> {
  const byPgid = new Map(leaders.map(({ name, pid }) => [pid, name]));
  const seconds = new Map<string, number>();
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
    const pgid = Number(fields[2]);
    const name = byPgid.get(pgid);
    if (name === undefined) continue;
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    const own = utime! + stime! + (Number(entry) === pgid ? cutime! + cstime! : 0);
    seconds.set(name, (seconds.get(name) ?? 0) + own / TICKS);
  }
  return seconds;
}

/** The kind of process a runner name stands for: service, daprd, broker or database. */
export function processKind(name: string): string {
  if (name.endsWith('-dapr')) return 'daprd';
  if (['kafka', 'rabbitmq', 'epmd'].includes(name)) return 'broker';
  if (['postgres', 'ferretdb'].includes(name)) return 'database';
  return 'service';
}
