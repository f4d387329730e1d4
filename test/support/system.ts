import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Broker } from '../../scripts/src/runner/infra';
import { testPorts } from '../../scripts/src/runner/ports';
import { ProcessGroup } from '../../scripts/src/runner/processes';
import { startSystem, type RunningSystem, type SystemOptions } from '../../scripts/src/runner/system';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';

/** Every broker test runs on both; EVENTMART_BROKERS=kafka narrows a local run while debugging. */
export const BROKERS: Broker[] = (process.env.EVENTMART_BROKERS?.split(',') as Broker[] | undefined) ?? ['kafka', 'rabbitmq'];

/**
 * Starts the real system (FerretDB, the broker, every service with its daprd) for one
 * test file, on ports away from a running `npm start`, with each process's log kept in
 * artifacts/logs/<label>/ for when a test fails.
 */
export async function startTestSystem(label: string, options: Pick<SystemOptions, 'broker' | 'scale' | 'env' | 'tracing'>): Promise<RunningSystem> {
  const logs = join(REPO_ROOT, 'artifacts', 'logs', `${label}-${options.broker}`);
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const runDir = mkdtempSync(join(process.env.EVENTMART_TEST_DIR ?? tmpdir(), 'eventmart-'));
  // Ports come in slots of 1000: EVENTMART_TEST_SLOT picks one (jest sets JEST_WORKER_ID=1 in band).
  const slot = Number(process.env.EVENTMART_TEST_SLOT ?? Number(process.env.JEST_WORKER_ID ?? '1') - 1);
  const system = await startSystem({
    ...options,
    env: { shipping: { SHIPPING_DISPATCH_DELAY_MS: '200', SHIPPING_DELIVERY_DELAY_MS: '200' }, ...options.env },
    runDir,
    logLevel: process.env.EVENTMART_TEST_LOG_LEVEL ?? 'info',
    ports: testPorts(slot),
    group: new ProcessGroup({ kind: 'files', dir: logs }),
  });
  const stop = system.stop;
  system.stop = async () => {
    await stop();
    rmSync(runDir, { recursive: true, force: true });
  };
  return system;
}
