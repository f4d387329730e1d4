import { baseConfigSpec, readConfig, type BaseConfig } from '@eventmart/shared';

export type Config = BaseConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(baseConfigSpec('payment', 3001), env);
}
