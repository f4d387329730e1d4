/**
 * Typed, frozen configuration read once from the environment at start.
 * A bad value throws a ConfigError naming the variable; main() turns it into exit code 1.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type Reader<T> = (env: Env, name: string) => T;

export function str(fallback?: string): Reader<string> {
  return (env, name) => {
    const raw = env[name];
    if (raw !== undefined && raw !== '') return raw;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(name, 'is required');
  };
}

export function optionalStr(): Reader<string | undefined> {
  return (env, name) => (env[name] === '' ? undefined : env[name]);
}

export function int(fallback?: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): Reader<number> {
  return (env, name) => {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (fallback !== undefined) return fallback;
      throw new ConfigError(name, 'is required');
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
    }
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[], fallback: T): Reader<T> {
  return (env, name) => {
    const raw = env[name] || fallback;
    if (!values.includes(raw as T)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

export function readConfig<T extends object>(spec: { [K in keyof T]: readonly [string, Reader<T[K]>] }, env: Env = process.env): Readonly<T> {
  const config = {} as T;
  for (const key of Object.keys(spec) as (keyof T)[]) {
    const [name, read] = spec[key];
    config[key] = read(env, name);
  }
  return Object.freeze(config);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service reads; a service adds its own fields next to these. */
export interface BaseConfig {
  port: number;
  mongodbUrl: string;
  mongodbDb: string;
  pubsubName: string;
  daprHttpPort: number;
  daprApiToken: string | undefined;
  appApiToken: string | undefined;
  adminToken: string | undefined;
  logLevel: LogLevel;
  shutdownGraceMs: number;
}

export function baseConfigSpec(service: string, defaultPort: number) {
  return {
    port: ['PORT', int(defaultPort, { min: 1, max: 65535 })],
    mongodbUrl: ['MONGODB_URL', str('mongodb://127.0.0.1:27017')],
    mongodbDb: ['MONGODB_DB', str(`eventmart-${service}`)],
    pubsubName: ['PUBSUB_NAME', str('pubsub')],
    daprHttpPort: ['DAPR_HTTP_PORT', int(3500, { min: 1, max: 65535 })],
    daprApiToken: ['DAPR_API_TOKEN', optionalStr()],
    appApiToken: ['APP_API_TOKEN', optionalStr()],
    // The operator's token for /deadletters (`Authorization: Bearer <token>`); without it they are closed.
    adminToken: ['ADMIN_TOKEN', optionalStr()],
    logLevel: ['LOG_LEVEL', oneOf(LOG_LEVELS, 'info')],
    shutdownGraceMs: ['SHUTDOWN_GRACE_MS', int(10_000)],
  } as const;
}
