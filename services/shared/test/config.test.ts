import { baseConfigSpec, ConfigError, readConfig, type BaseConfig } from '../src/config';

const read = (env: Record<string, string>) => readConfig<BaseConfig>(baseConfigSpec('order', 3000), env);

describe('config', () => {
  test('when nothing is set, then the defaults hold and the object is frozen', () => {
    const config = read({});
    expect(config).toMatchObject({ port: 3000, mongodbDb: 'eventmart-order', pubsubName: 'pubsub', logLevel: 'info' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('when a value is bad, then the error names the variable', () => {
    expect(() => read({ PORT: 'eighty' })).toThrow(new ConfigError('PORT', 'must be an integer between 1 and 65535, got "eighty"'));
    expect(() => read({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
