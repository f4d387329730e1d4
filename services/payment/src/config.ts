import { baseConfigSpec, readConfig, str, type BaseConfig } from '@eventmart/shared/config';

export interface Config extends BaseConfig {
  /** Origin allowed to read accounts from a browser (the shop page). */
  corsOrigin: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(
    {
      ...baseConfigSpec('payment', 3001),
      corsOrigin: ['CORS_ORIGIN', str('*')],
    },
    env,
  );
}
