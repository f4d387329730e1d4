/**
 * `npm start [-- --broker kafka|rabbitmq] [--scale inventory=3 ...] [--sampling 0..1]`: the whole system as
 * local processes with real sidecars, broker and database, in one terminal. Ctrl-C stops
 * every process it started.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, standardPorts, type ServiceName } from './ports';
import { ProcessGroup } from './processes';
import { seed, SEED_ACCOUNTS, SEED_PRODUCTS } from './seed';
import { adminTokenFile, defaultDataDir, ensureAdminToken, startSystem } from './system';

function parseScale(values: string[]): Partial<Record<ServiceName, number>> {
  const scale: Partial<Record<ServiceName, number>> = {};
  for (const value of values) {
    const match = /^([a-z]+)=(\d+)$/.exec(value);
    const service = match?.[1] as ServiceName | undefined;
    const count = Number(match?.[2]);
    if (!service || !SERVICE_NAMES.includes(service) || count < 1 || count > 6) {
      throw new Error(`--scale ${value}: expected <service>=<1..6> with service one of ${SERVICE_NAMES.join(', ')}`);
    }
    scale[service] = count;
  }
  return scale;
}

async function main() {
  const { values } = parseArgs({
    options: {
      broker: { type: 'string', default: 'kafka' },
      scale: { type: 'string', multiple: true, default: [] },
      'data-dir': { type: 'string', default: defaultDataDir() },
      // The share of orders traced (0 to 1); 0 still runs Jaeger, with nothing sent to it.
      sampling: { type: 'string', default: '1' },
    },
  });
  const broker = values.broker;
  if (broker !== 'kafka' && broker !== 'rabbitmq') throw new Error(`--broker ${broker}: expected kafka or rabbitmq`);
  const scale = parseScale(values.scale);
  const sampling = Number(values.sampling);
  if (!(sampling >= 0 && sampling <= 1)) throw new Error(`--sampling ${values.sampling}: expected a number from 0 to 1`);

  const startedAt = Date.now();
  // Every process's output in full in <data dir>/<broker>/logs/, a readable line of each record on the terminal.
  const logs = join(values['data-dir'], broker, 'logs');
  mkdirSync(logs, { recursive: true });
  const group = new ProcessGroup({ kind: 'terminal', dir: logs });
  // Listening before anything starts: Ctrl-C during the start stops what is already up.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      console.log(`\n${signal} again: killing every process now`);
      await group.stopAll(0);
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping every process …`);
    await group.stopAll();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  console.log(`starting Eventmart on ${broker} (data in ${values['data-dir']}) …`);
  const adminToken = ensureAdminToken(values['data-dir']);
  const ports = standardPorts();
  const system = await startSystem({
    broker,
    scale,
    runDir: join(values['data-dir'], broker),
    ports,
    group,
    adminToken,
    tracing: { sampling },
  });

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  if (await seed(system.urls)) console.log(`seeded ${SEED_PRODUCTS.length} products and the customers ${SEED_ACCOUNTS.map((a) => a.customerId).join(', ')}`);
  console.log(`\n\x1b[1mEventmart is ready in ${seconds}s\x1b[0m (broker: ${broker})`);
  const at = (port: number) => `http://localhost:${port}`;
  console.log(`  shop page        ${at(ports.services.notification)}`);
  console.log(`  order API        ${at(ports.services.order)}/orders`);
  console.log(`  payment API      ${at(ports.services.payment)}/accounts/<customerId>`);
  console.log(`  inventory API    ${at(ports.services.inventory)}/products`);
  console.log(`  shipping API     ${at(ports.services.shipping)}/shipments/<orderId>`);
  console.log(`  traces (Jaeger)  ${at(ports.jaeger.ui)}/api/traces/<traceId> (an order's traceId is in GET /orders/<orderId>)`);
  console.log(`  dead letters     npm run dlq (admin token in ${adminTokenFile(values['data-dir'])})`);
  console.log(`  full logs        ${logs}/<process>.log (JSON, every level)`);
  for (const replica of system.replicas.filter((r) => r.index > 0)) console.log(`  ${replica.service} replica ${replica.index + 1} on ${replica.url}`);
  console.log('Ctrl-C stops everything.\n');
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${(err as Error).message}`);
  process.exit(1);
});
