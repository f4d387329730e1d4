import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { rabbitmqConsumers, startDatabase, startJaeger, startKafka, startRabbitmq, type Broker, type TraceBackend } from './infra';
import { SERVICE_NAMES, type PortPlan, type ServiceName } from './ports';
import type { ProcessGroup } from './processes';
import { send } from '../http';
import { locateToolchain, REPO_ROOT } from './toolchain';
import { assertPortsFree, httpOk, waitFor } from './wait';

/** Where `npm start` keeps its data, unless --data-dir says otherwise. */
export const defaultDataDir = () => join(process.env.EVENTMART_DATA ?? '/var/tmp/eventmart', 'dev');
export const adminTokenFile = (dataDir: string) => join(dataDir, 'admin-token');

export function readAdminToken(dataDir: string): string | undefined {
  const file = adminTokenFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The operator's token for /deadletters, made once per data folder (readable by its owner only). */
export function ensureAdminToken(dataDir: string): string {
  const known = readAdminToken(dataDir);
  if (known) return known;
  const token = randomBytes(24).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(adminTokenFile(dataDir), `${token}\n`, { mode: 0o600 });
  return token;
}

/** The sidecar's app health check, as the chart's dapr.io/app-health-* annotations set it. */
// A probe waits 2 s (Dapr's default is 500 ms) and the subscriptions pause only after 10 failures
// in a row (30 s): a /readyz that is slow on a loaded machine must not pause them, as Dapr 1.18's
// pause and resume loses on both brokers (a paused RabbitMQ subscription strands what it had
// prefetched until the broker's consumer_timeout; on Kafka a quick pause-resume-pause can leave
// a topic without a consumer). docs/kubernetes.md says more.
export const APP_HEALTH_FLAGS = [
  '--enable-app-health-check',
  '--app-health-check-path=/readyz',
  '--app-health-probe-interval=3',
  '--app-health-probe-timeout=2000',
  '--app-health-threshold=10',
];

/**
 * How every service's node runs, here, in dapr.yaml and in the image (services/Dockerfile): a
 * young generation of 4 MiB semi-spaces, not 16. npm run bench measured 15 to 25 MiB less peak
 * memory for payment, shipping and notification, an order's CPU within the spread of the runs
 * (docs/measurements.md).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4'];

export interface SystemOptions {
  broker: Broker;
  /** Replicas per service; 1 when not named. */
  scale?: Partial<Record<ServiceName, number>>;
  /** Where databases, broker data and (for a files sink) logs live. */
  runDir: string;
  ports: PortPlan;
  /** The group every started process joins; stopping it stops them all, even during the start. */
  group: ProcessGroup;
  /** Extra environment per service, e.g. short shipping delays in tests. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  logLevel?: string;
  /** Flags for each service's node, before its main (e.g. --cpu-prof for the bench's --profile). */
  nodeFlags?: string[];
  /** The operator's token for every service's /deadletters (ADMIN_TOKEN); a new one when not given. */
  adminToken?: string;
  /**
   * Traces: a Jaeger runs beside the system and the services and sidecars send it their spans,
   * sampling this share of new traces (0 to 1). Without it nothing is recorded, but every event
   * still carries its trace id.
   */
  tracing?: { sampling: number };
}

export interface Replica {
  service: ServiceName;
  index: number;
  appPort: number;
  daprHttpPort: number;
  url: string;
}

export interface RunningSystem {
  broker: Broker;
  /** The first replica of each service. */
  urls: Record<ServiceName, string>;
  replicas: Replica[];
  mongoUrl: string;
  brokerAddress: string;
  /** Each service's token for calling its sidecar (tests publish through a sidecar with it). */
  daprApiTokens: Record<ServiceName, string>;
  /** The operator's token for /deadletters. */
  adminToken: string;
  /** Where the traces go and can be read, when tracing is on. */
  traces: TraceBackend | undefined;
  group: ProcessGroup;
  /** RabbitMQ only: how many consumers each queue has now. */
  brokerConsumers(): Map<string, number> | undefined;
  /** The names of a replica's app and sidecar processes in the group. */
  processesOf(replica: Replica): { app: string; sidecar: string };
  /** Stops one replica (its sidecar, then the app) with SIGTERM, as a scale-down would; returns their exit codes. */
  stopReplica(replica: Replica): Promise<{ sidecar: number | null | undefined; app: number | null | undefined }>;
  /** Starts a stopped replica again, on the same ports, and waits until it is ready. */
  startReplica(replica: Replica): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the whole system as local processes: the database, the broker, and every
 * replica of every service with its own real daprd sidecar reading components/<broker>.
 * Resolves once every app and sidecar is ready; on failure it stops what it started.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { broker, ports, runDir, group } = options;
  const tools = locateToolchain();
  mkdirSync(runDir, { recursive: true });
  chmodSync(runDir, 0o755); // PostgreSQL runs as its own user and must reach its directory below
  const tracingPorts = options.tracing ? Object.values(ports.jaeger) : [];
  await assertPortsFree([ports.postgres, ports.mongo, ports.kafka, ports.rabbitmq, ports.epmd, ...Object.values(ports.services), ...tracingPorts]);
  try {
    const traces = options.tracing ? await startJaeger(group, tools, ports) : undefined;
    const mongoUrl = await startDatabase(group, tools, join(runDir, 'db'), ports);
    const brokerAddress =
      broker === 'kafka' ? await startKafka(group, tools, join(runDir, 'kafka'), ports) : await startRabbitmq(group, tools, join(runDir, 'rabbitmq'), ports);

    // Tokens both ways between app and sidecar, one pair per service and new for every run: a
    // token one service leaks opens no other's sidecar or app.
    const token = () => randomBytes(16).toString('hex');
    const daprApiTokens = Object.fromEntries(SERVICE_NAMES.map((s) => [s, token()])) as Record<ServiceName, string>;
    const appApiTokens = Object.fromEntries(SERVICE_NAMES.map((s) => [s, token()])) as Record<ServiceName, string>;
    const adminToken = options.adminToken ?? token();
    const components = join(REPO_ROOT, 'components', broker);
    const configuration = writeDaprConfiguration(
      join(components, 'configuration.yaml'),
      join(runDir, 'dapr-configuration.yaml'),
      traces,
      options.tracing?.sampling ?? 0,
    );
    let next = ports.dynamicBase;
    const replicas: Replica[] = [];
    const launchers = new Map<Replica, () => Promise<void>>();
    const nameOf = ({ service, index }: Replica) => ((options.scale?.[service] ?? 1) > 1 ? `${service}-${index + 1}` : service);

    for (const service of SERVICE_NAMES) {
      const count = options.scale?.[service] ?? 1;
      for (let index = 0; index < count; index++) {
        const appPort = index === 0 ? ports.services[service] : next++;
        const [daprHttpPort, daprGrpcPort, daprInternalGrpcPort, metricsPort] = [next++, next++, next++, next++];
        const replica: Replica = { service, index, appPort, daprHttpPort, url: `http://127.0.0.1:${appPort}` };
        const name = nameOf(replica);
        // Starts the app and its sidecar and resolves when both are ready; used again by startReplica.
        const launch = async () => {
          const node = [...SERVICE_NODE_FLAGS, ...(options.nodeFlags ?? []), join(REPO_ROOT, 'services', service, 'dist', 'main.js')];
          const app = group.start(name, process.execPath, node, {
            tier: 2,
            env: {
              PORT: String(appPort),
              ADMIN_TOKEN: adminToken,
              MONGODB_URL: mongoUrl,
              DAPR_HTTP_PORT: String(daprHttpPort),
              DAPR_GRPC_PORT: String(daprGrpcPort),
              DAPR_API_TOKEN: daprApiTokens[service],
              APP_API_TOKEN: appApiTokens[service],
              LOG_LEVEL: options.logLevel ?? 'info',
              OTEL_SERVICE_NAME: service,
              ...(traces
                ? { OTEL_EXPORTER_OTLP_ENDPOINT: traces.otlpHttp, OTEL_TRACES_SAMPLER_ARG: String(options.tracing?.sampling ?? 1), TRACE_UI_URL: traces.ui }
                : {}),
              ...options.env?.[service],
            },
          });
          // Ports are chosen, not left to the sidecar: a random pick can collide with one we hand out.
          const flags = [
            `--app-id=${service}`,
            `--app-port=${appPort}`,
            '--app-protocol=http',
            // No deliveries while the app is not ready (its database is down): the sidecar
            // asks /readyz every 3 s and pauses the subscriptions after 10 failures in a row.
            ...APP_HEALTH_FLAGS,
            `--dapr-http-port=${daprHttpPort}`,
            `--dapr-grpc-port=${daprGrpcPort}`,
            `--dapr-internal-grpc-port=${daprInternalGrpcPort}`,
            `--metrics-port=${metricsPort}`,
            '--dapr-listen-addresses=127.0.0.1',
            `--resources-path=${components}`,
            `--config=${configuration}`,
            '--log-level=warn',
            '--log-as-json',
          ];
          const sidecar = group.start(`${name}-dapr`, tools.daprd, flags, {
            tier: 3,
            env: {
              KAFKA_BROKERS: broker === 'kafka' ? brokerAddress : '',
              // The local broker listens on loopback without authentication (the cluster's asks
              // for SASL/PLAIN: components/kafka/pubsub.yaml, docs/kubernetes.md).
              KAFKA_AUTH_TYPE: 'none',
              RABBITMQ_URL: broker === 'rabbitmq' ? brokerAddress : '',
              DAPR_API_TOKEN: daprApiTokens[service],
              APP_API_TOKEN: appApiTokens[service],
              // What {podName} in component metadata becomes, as the injector sets it in the
              // cluster: stable per replica, so its broadcast subscription outlives a restart.
              POD_NAME: `${service}-${index + 1}`,
            },
          });
          const what = `${service}#${index + 1}`;
          await waitFor(`${what} /readyz`, () => httpOk(`http://127.0.0.1:${appPort}/readyz`), 60_000, 250, group.running(app));
          await waitFor(`${what} sidecar`, () => httpOk(`http://127.0.0.1:${daprHttpPort}/v1.0/healthz`), 90_000, 250, group.running(sidecar));
        };
        replicas.push(replica);
        launchers.set(replica, launch);
      }
    }

    await Promise.all(replicas.map((replica) => launchers.get(replica)!()));
    if (broker === 'rabbitmq') {
      // A sidecar is healthy before its subscriptions hold a queue, and RabbitMQ drops what is
      // published to a topic no queue is bound to: on a new broker the first product.changed
      // could miss the order service. Ready means every subscription's queue has a consumer.
      let missing: string[] = [];
      await waitFor(
        'every subscription queue',
        async () => {
          const replicaOf = (service: ServiceName) => replicas.find((r) => r.service === service)!;
          const expected = await Promise.all(SERVICE_NAMES.map((service) => subscriptionQueues(replicaOf(service), daprApiTokens[service])));
          const consumed = new Set([...rabbitmqConsumers(tools, join(runDir, 'rabbitmq'), ports)].filter(([, n]) => n > 0).map(([q]) => q));
          // Every service subscribes to something: none listed yet is not ready.
          missing = expected.flatMap((queues, i) => (queues === undefined ? [`${SERVICE_NAMES[i]}'s subscriptions`] : queues.filter((q) => !consumed.has(q))));
          return missing.length === 0;
        },
        90_000,
        500,
      ).catch((err: Error) => {
        throw new Error(`${err.message}: still without a consumer: ${missing.join(', ')}`);
      });
    }

    const urls = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${ports.services[s]}`])) as Record<ServiceName, string>;
    return {
      broker,
      urls,
      replicas,
      mongoUrl,
      brokerAddress,
      daprApiTokens,
      adminToken,
      traces,
      group,
      brokerConsumers: () => (broker === 'rabbitmq' ? rabbitmqConsumers(tools, join(runDir, 'rabbitmq'), ports) : undefined),
      processesOf: (replica) => ({ app: nameOf(replica), sidecar: `${nameOf(replica)}-dapr` }),
      async stopReplica(replica) {
        const sidecar = await group.stop(`${nameOf(replica)}-dapr`);
        return { sidecar, app: await group.stop(nameOf(replica)) };
      },
      startReplica: (replica) => launchers.get(replica)!(),
      stop: () => group.stopAll(),
    };
  } catch (err) {
    await group.stopAll();
    throw err;
  }
}

/**
 * The broker folder's Dapr Configuration with this run's tracing: the sidecars send their
 * spans to the run's Jaeger at the run's share, or record none when tracing is off (then
 * no sidecar tries a collector that is not there). Returns the file written.
 */
function writeDaprConfiguration(source: string, target: string, traces: TraceBackend | undefined, sampling: number): string {
  const configuration = parse(readFileSync(source, 'utf8')) as { spec: { tracing: { samplingRate: string; otel: { endpointAddress: string } } } };
  configuration.spec.tracing.samplingRate = traces ? String(sampling) : '0';
  if (traces) configuration.spec.tracing.otel.endpointAddress = traces.otlpGrpc;
  writeFileSync(target, stringify(configuration));
  return target;
}

/**
 * The queue of each of a service's subscriptions to the work-queue component (`pubsub`):
 * `<app>-<topic>`, as its consumerID is the app id. The sidecar's metadata lists them (and
 * the broadcast ones); undefined while it lists none yet.
 */
async function subscriptionQueues(replica: Replica, daprApiToken: string): Promise<string[] | undefined> {
  const { subscriptions = [] } = await send<{ subscriptions?: Array<{ pubsubname: string; topic: string }> }>(
    'GET',
    `http://127.0.0.1:${replica.daprHttpPort}/v1.0/metadata`,
    undefined,
    { headers: { 'dapr-api-token': daprApiToken } },
  );
  if (subscriptions.length === 0) return undefined;
  return subscriptions.filter((s) => s.pubsubname === 'pubsub').map((s) => `${replica.service}-${s.topic}`);
}
