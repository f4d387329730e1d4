import { baseConfigSpec, readConfig, type BaseConfig } from '@eventmart/shared/config';

export type Config = BaseConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(baseConfigSpec('inventory', 3002), env);
}
