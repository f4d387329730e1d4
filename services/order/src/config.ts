import { baseConfigSpec, int, readConfig, str, type BaseConfig } from '@eventmart/shared/config';

export interface Config extends BaseConfig {
  /** Origin allowed to call the API from a browser (the shop page). */
  corsOrigin: string;
  /** An order still PENDING this long after it was placed is cancelled (the saga's deadline). */
  orderDeadlineMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(
    {
      ...baseConfigSpec('order', 3000),
      corsOrigin: ['CORS_ORIGIN', str('*')],
      orderDeadlineMs: ['ORDER_DEADLINE_MS', int(5 * 60_000, { min: 1_000 })],
    },
    env,
  );
}
