// dapr.yaml, the Dapr CLI's multi-app run file, runs what `npm start` runs: the same app ids,
// ports, components and sidecar settings (scripts/src/runner/), and it names every variable
// the sidecars read from the environment `dapr run` starts in.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICE_PORTS, standardPorts, type ServiceName } from '../../scripts/src/runner/ports';
import { APP_HEALTH_FLAGS, SERVICE_NODE_FLAGS } from '../../scripts/src/runner/system';
import { BROKERS } from './contract';
import { ROOT, readYaml } from './tools';

const text = readFileSync(join(ROOT, 'dapr.yaml'), 'utf8');
const runFile = parse(text) as {
  version: number;
  common: Record<string, any>;
  apps: { appID: string; appDirPath: string; appPort: number; command: string[]; env?: Record<string, string> }[];
};
const { common, apps } = runFile;

/** The runner's --flag=value health flags of each sidecar, by flag. */
const healthFlags = Object.fromEntries(APP_HEALTH_FLAGS.map((flag) => flag.replace(/^--/, '').split('=') as [string, string | undefined]));

describe('dapr.yaml', () => {
  it("runs every service under its app id, on the runner's port, from its own folder", () => {
    expect(runFile.version).toBe(1);
    expect(apps.map((app) => app.appID)).toEqual(SERVICE_NAMES);
    for (const app of apps) {
      const port = SERVICE_PORTS[app.appID as ServiceName];
      expect({ id: app.appID, dir: app.appDirPath, port: app.appPort, env: app.env?.PORT }).toEqual({
        id: app.appID,
        dir: `./services/${app.appID}/`,
        port,
        env: String(port),
      });
      // node dist/main.js with the runner's flags, as the image and the runner start it; dist/main.js is built from src/main.ts.
      expect(app.command).toEqual(['node', ...SERVICE_NODE_FLAGS, 'dist/main.js']);
      expect(existsSync(join(ROOT, app.appDirPath, 'src/main.ts'))).toBe(true);
    }
  });

  it("loads one broker's components and its Dapr Configuration, as the runner does", () => {
    const broker = /^\.\/components\/([a-z]+)$/.exec(common.resourcesPath)?.[1];
    expect(BROKERS).toContain(broker);
    expect(common.configFilePath).toBe(`./components/${broker}/configuration.yaml`);
    expect(existsSync(join(ROOT, common.configFilePath))).toBe(true);
    expect(common).toMatchObject({ appProtocol: 'http', apiListenAddresses: '127.0.0.1' });
  });

  it("checks each app's health as the runner's sidecars (and the chart's) do", () => {
    expect({
      enableAppHealthCheck: common.enableAppHealthCheck ? 'on' : 'off',
      appHealthCheckPath: common.appHealthCheckPath,
      appHealthProbeInterval: String(common.appHealthProbeInterval),
      appHealthProbeTimeout: String(common.appHealthProbeTimeout),
      appHealthThreshold: String(common.appHealthThreshold),
    }).toEqual({
      enableAppHealthCheck: APP_HEALTH_FLAGS.includes('--enable-app-health-check') ? 'on' : 'off',
      appHealthCheckPath: healthFlags['app-health-check-path'],
      appHealthProbeInterval: healthFlags['app-health-probe-interval'],
      appHealthProbeTimeout: healthFlags['app-health-probe-timeout'],
      appHealthThreshold: healthFlags['app-health-threshold'],
    });
  });

  it("points the services at the database on the runner's port", () => {
    expect(new URL(common.env.MONGODB_URL).port).toBe(String(standardPorts().mongo));
  });

  it('names every variable the sidecars read from their environment', () => {
    // The CLI hands `env` to the apps only; each daprd inherits the shell's environment.
    for (const broker of BROKERS) {
      const components = ['pubsub.yaml', 'pubsub-broadcast.yaml'].flatMap((file) => readYaml(`components/${broker}/${file}`));
      const metadata = components.flatMap((c) => c.spec.metadata as { envRef?: string; value?: string }[]);
      const variables = [
        ...metadata.flatMap((m) => (m.envRef ? [m.envRef] : [])),
        ...(metadata.some((m) => m.value?.includes('{podName}')) ? ['POD_NAME'] : []),
      ];
      expect(variables.length).toBeGreaterThan(1);
      for (const variable of variables) expect({ broker, variable, named: text.includes(`${variable}=`) }).toEqual({ broker, variable, named: true });
    }
  });
});
