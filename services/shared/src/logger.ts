import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout; the service name on every line; objects first, message second. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
