import { prettyFactory } from 'pino-pretty';

/**
 * What `npm start` shows of one output line of a process: a JSON log record (the services'
 * pino, daprd's --log-as-json) as one readable line, time, level, message and fields; daprd's
 * records below warning dropped; any other line (the broker's, the database's) as it is.
 * Undefined drops the line. The per-process log files keep every line as written.
 */
const pretty = prettyFactory({
  colorize: true,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  // The prefix names the process already; these say nothing more on a terminal.
  ignore: 'pid,hostname,service,app_id,instance,type,ver',
});

/** daprd's level names as pino's numbers. */
const DAPR_LEVELS: Record<string, number> = { debug: 20, info: 30, warning: 40, warn: 40, error: 50, fatal: 60 };

/**
 * The database's report of an insert at a taken position: how a competing writer loses, by
 * design (docs/consistency.md), not a fault. PostgreSQL and FerretDB each say it once per loss.
 */
const LOST_RACE = 'duplicate key value violates unique constraint';

export function consoleLine(line: string): string | undefined {
  if (line.includes(LOST_RACE)) return undefined;
  if (!line.startsWith('{')) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== 'object' || record === null || !('level' in record)) return line;
  const { level } = record as { level: unknown };
  if (typeof level === 'string') {
    const value = DAPR_LEVELS[level] ?? 30;
    if (value < 40) return undefined; // daprd's info-level noise
    return pretty({ ...record, level: value }).trimEnd();
  }
  return pretty(record).trimEnd();
}
