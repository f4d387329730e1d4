import { baseConfigSpec, int, readConfig, type BaseConfig } from '@eventmart/shared/config';

export interface Config extends BaseConfig {
  dispatchDelayMs: number;
  deliveryDelayMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(
    {
      ...baseConfigSpec('shipping', 3003),
      dispatchDelayMs: ['SHIPPING_DISPATCH_DELAY_MS', int(3_000)],
      deliveryDelayMs: ['SHIPPING_DELIVERY_DELAY_MS', int(5_000)],
    },
    env,
  );
}
