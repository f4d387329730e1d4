import { baseConfigSpec, readConfig, str, type BaseConfig } from '@eventmart/shared';

export interface Config extends BaseConfig {
  /** Origin allowed to call the API from a browser (the shop page). */
  corsOrigin: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>({ ...baseConfigSpec('order', 3000), corsOrigin: ['CORS_ORIGIN', str('*')] }, env);
}
