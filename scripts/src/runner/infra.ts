import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { allTopics } from '@eventmart/shared/events';
import type { InfraPorts } from './ports';
import type { ProcessGroup } from './processes';
import { REPO_ROOT, type Toolchain } from './toolchain';
import { httpOk, portOpen, waitFor } from './wait';

export type Broker = 'kafka' | 'rabbitmq';

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user the package made. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** PostgreSQL, then FerretDB on it: the MongoDB-wire database every service uses. */
export async function startDatabase(group: ProcessGroup, tools: Toolchain, dir: string, ports: InfraPorts): Promise<string> {
  const data = join(dir, 'pgdata');
  const user = postgresUser();
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    execFileSync(join(tools.postgresBin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], { stdio: 'pipe', ...user });
  }
  // Durable as in production (fsync and synchronous commit on): npm run bench measured no cost on this machine.
  const postgres = group.start(
    'postgres',
    join(tools.postgresBin, 'postgres'),
    [
      ...['-D', data, '-p', String(ports.postgres), '-h', '127.0.0.1', '-k', dir, '-c', 'max_connections=200'],
      // An error is one line, without the statement: a competing writer's insert at a taken
      // position fails on the unique key by design (docs/consistency.md), many times a minute.
      ...['-c', 'log_error_verbosity=terse', '-c', 'log_min_error_statement=panic'],
    ],
    { tier: 0, ...user },
  );
  // Ready when it accepts a session, not only a connection (which it does while it recovers).
  const accepting = () =>
    spawnSync(join(tools.postgresBin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(ports.postgres), '-U', 'postgres']).status === 0;
  await waitFor('postgres', async () => accepting(), 30_000, 250, group.running(postgres));
  // Indexes FerretDB's queries can use (the file says why); idempotent, so at every start.
  execFileSync(
    join(tools.postgresBin, 'psql'),
    ['-h', '127.0.0.1', '-p', String(ports.postgres), '-U', 'postgres', '-qAt', '-v', 'ON_ERROR_STOP=1', '-f', join(REPO_ROOT, 'k8s/ferretdb/gin-indexes.sql')],
    { stdio: 'pipe' },
  );
  const ferretdb = group.start(
    'ferretdb',
    tools.ferretdb,
    [
      '--handler=postgresql',
      `--postgresql-url=postgres://postgres@127.0.0.1:${ports.postgres}/postgres`,
      `--listen-addr=127.0.0.1:${ports.mongo}`,
      '--telemetry=disable',
      `--state-dir=${dir}`,
      '--log-level=warn',
      '--debug-addr=-',
    ],
    { tier: 1 },
  );
  const url = `mongodb://127.0.0.1:${ports.mongo}`;
  await waitFor('ferretdb', () => mongoPing(url), 30_000, 250, group.running(ferretdb));
  return url;
}

async function mongoPing(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

/** One Kafka node in KRaft mode; returns the bootstrap address. */
export async function startKafka(group: ProcessGroup, tools: Toolchain, dir: string, ports: InfraPorts): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      // Six partitions per topic: up to six replicas of a consumer share the work.
      'num.partitions=6',
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=6',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'min.insync.replicas=1',
      // A consumer group forms at once instead of waiting 3 s for more members.
      'group.initial.rebalance.delay.ms=0',
      // The one controller appends no heartbeat record to the metadata log every 500 ms (it is
      // how a controller learns it can still commit; alone, it has no one to lose to). Idle,
      // Kafka takes 1.1 % of a core instead of 1.7 % (docs/measurements.md).
      'metadata.max.idle.interval.ms=0',
      '',
    ].join('\n'),
  );
  const java = ['-cp', `${tools.kafkaLibs}/*`];
  if (!existsSync(join(dir, 'data', 'meta.properties'))) {
    execFileSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config], { stdio: 'pipe' });
  }
  writeFileSync(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\nlog4j.logger.kafka.server.KafkaServer=INFO\n',
  );
  const kafka = group.start(
    'kafka',
    'java',
    ['-Xms256m', '-Xmx512m', `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`, ...java, 'kafka.Kafka', config],
    { tier: 1 },
  );
  await waitFor('kafka', () => portOpen(ports.kafka), 60_000, 250, group.running(kafka));
  const address = `127.0.0.1:${ports.kafka}`;
  await createTopics(address);
  return address;
}

/**
 * Creates every topic before a sidecar uses it, and waits for their leaders. Left to the broker
 * to create on first use, the first publishes to a topic fail while its leader is elected: on a
 * loaded machine enough of them to open the sidecar's publish breaker for 30 s.
 */
async function createTopics(address: string): Promise<void> {
  let last: unknown;
  // A broker that has just opened its port may not serve metadata yet: try again until it does.
  await waitFor(
    'kafka topics',
    async () => {
      const admin = new Kafka({ clientId: 'eventmart-runner', brokers: [address], logLevel: logLevel.NOTHING }).admin();
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const topics = allTopics().filter((topic) => !existing.has(topic));
        if (topics.length > 0) await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true, timeout: 10_000 });
        return true;
      } catch (err) {
        last = err;
        return false;
      } finally {
        await admin.disconnect();
      }
    },
    90_000,
    1_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${String(last)}`);
  });
}

/**
 * RabbitMQ's settings, here and in the cluster (k8s/rabbitmq/eventmart.conf; test/k8s keeps
 * them equal). `consumer_timeout`: a delivery not acknowledged within a minute closes its
 * channel and goes back to its queue, for a consumer nobody reads (see docs/measurements.md,
 * the broker restart of the fault suite).
 */
export const RABBITMQ_CONF = 'log.console.level = warning\nconsumer_timeout = 60000\n';

/** What RabbitMQ's commands need to find the node that `startRabbitmq` started in `dir`. */
function rabbitmqEnv(dir: string, ports: InfraPorts) {
  const node = `eventmart${ports.rabbitmq}@localhost`;
  return {
    HOME: dir,
    ERL_EPMD_PORT: String(ports.epmd),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ports.rabbitmq),
    RABBITMQ_DIST_PORT: String(ports.rabbitmqDist),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_LOGS: '-',
  };
}

/**
 * How many consumers each queue of the RabbitMQ that `startRabbitmq` started in `dir` has. A
 * message published to a topic before its subscribers' queues exist is dropped by the broker
 * (an exchange with no queue bound), so a start waits for them (system.ts); the fault suite
 * counts consumers a sidecar registered and no longer reads (docs/measurements.md).
 */
export function rabbitmqConsumers(tools: Toolchain, dir: string, ports: InfraPorts): Map<string, number> {
  const out = execFileSync(join(tools.rabbitmqBin, 'rabbitmqctl'), ['-q', 'list_queues', '--no-table-headers', 'name', 'consumers'], {
    env: { ...process.env, ...rabbitmqEnv(dir, ports) },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return new Map(
    out.split('\n').flatMap((line) => {
      const [name, consumers] = line.trim().split(/\s+/);
      return name ? [[name, Number(consumers)] as const] : [];
    }),
  );
}

/** RabbitMQ with its own epmd, data directory and node name, so nothing of it outlives the run. */
export async function startRabbitmq(group: ProcessGroup, tools: Toolchain, dir: string, ports: InfraPorts): Promise<string> {
  mkdirSync(join(dir, 'log'), { recursive: true });
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const env = rabbitmqEnv(dir, ports);
  writeFileSync(join(dir, 'rabbitmq.conf'), RABBITMQ_CONF);
  const epmd = group.start('epmd', 'epmd', ['-port', String(ports.epmd), '-address', '127.0.0.1'], { tier: 0 });
  await waitFor('epmd', () => portOpen(ports.epmd), 10_000, 250, group.running(epmd));
  const rabbitmq = group.start('rabbitmq', join(tools.rabbitmqBin, 'rabbitmq-server'), [], { env, cwd: dir, tier: 1 });
  const diagnostics = join(tools.rabbitmqBin, 'rabbitmq-diagnostics');
  // `ping` answers before the broker accepts clients; check_running waits for the app itself.
  await waitFor(
    'rabbitmq',
    async () => {
      execFileSync(diagnostics, ['-q', 'check_running'], { env: { ...process.env, ...env }, stdio: 'pipe', timeout: 10_000 });
      return portOpen(ports.rabbitmq);
    },
    60_000,
    500,
    group.running(rabbitmq),
  );
  // A notification replica's own queues (pubsub-broadcast) outlive it; let the broker drop
  // them ten minutes after their consumer went away.
  execFileSync(
    join(tools.rabbitmqBin, 'rabbitmqctl'),
    ['-q', 'set_policy', 'broadcast-expiry', '^notification-', '{"expires":600000}', '--apply-to', 'queues'],
    {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    },
  );
  return `amqp://guest:guest@127.0.0.1:${ports.rabbitmq}`;
}

export interface TraceBackend {
  /** host:port of OTLP over gRPC, as a Dapr Configuration names it. */
  otlpGrpc: string;
  /** The OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  otlpHttp: string;
  /** The UI; `${ui}/trace/<trace id>` shows one trace, `${ui}/api/traces/<trace id>` gives it as JSON. */
  ui: string;
}

/** Jaeger v2 with traces in memory (k8s/jaeger/config.yaml, the cluster's config too). */
export async function startJaeger(group: ProcessGroup, tools: Toolchain, ports: InfraPorts): Promise<TraceBackend> {
  const { otlpGrpc, otlpHttp, ui, queryGrpc, health } = ports.jaeger;
  const jaeger = group.start('jaeger', tools.jaeger, ['--config', join(REPO_ROOT, 'k8s/jaeger/config.yaml')], {
    tier: 1,
    env: {
      JAEGER_LISTEN_HOST: '127.0.0.1',
      JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
      JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
      JAEGER_UI_PORT: String(ui),
      JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
      JAEGER_HEALTH_PORT: String(health),
    },
  });
  await waitFor('jaeger', () => httpOk(`http://127.0.0.1:${health}/status`), 30_000, 250, group.running(jaeger));
  return { otlpGrpc: `127.0.0.1:${otlpGrpc}`, otlpHttp: `http://127.0.0.1:${otlpHttp}`, ui: `http://127.0.0.1:${ui}` };
}
