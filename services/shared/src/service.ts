import http from 'node:http';
import type Koa from 'koa';
import type { Db } from 'mongodb';
import { Counter, type Registry } from 'prom-client';
import type { BaseConfig } from './config';
import { createDeadLetterStore, type DeadLetterStore } from './dead-letter-store';
import { createMetrics, type Readiness } from './health';
import { createLifecycle } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { connectMongo, type Database } from './mongo';
import { answerClientError, type ServiceAppDeps } from './http';
import { flushTraces } from './tracing';
import { createDaprClient, createPublisher, type EventHandlers, type Publisher } from './pubsub';

/** What every service gets from its start: the clients it may use, made once. */
export interface Infra<C extends BaseConfig> {
  config: C;
  log: Logger;
  db: Db;
  publisher: Publisher;
  deadLetters: DeadLetterStore;
  readiness: Readiness;
  metrics: Registry;
  /** What createServiceApp needs for a service that consumes events: its handlers (they name its topics), with its tokens and dead letters. */
  consumer(handlers: EventHandlers): NonNullable<ServiceAppDeps['events']>;
}

export interface ServiceParts {
  app: Koa;
  /** Background work (relays, timers), started once the server listens. */
  start?: () => void;
  /** Stops that work; called after HTTP has drained, before the clients close. */
  stop?: () => Promise<void>;
}

/**
 * The start of every service: config → clients → the service's own parts → listen, and
 * the orderly stop on SIGTERM. A bad config or an unreachable database exits 1 with a
 * message that names the cause.
 */
export async function runService<C extends BaseConfig>(name: string, loadConfig: () => C, build: (infra: Infra<C>) => Promise<ServiceParts>): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${name}: invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger(name, config.logLevel);
  try {
    const mongo = await connectMongo(config.mongodbUrl, config.mongodbDb);
    const dapr = createDaprClient(config.daprHttpPort, config.daprApiToken);
    // Ready when the database answers and the sidecar can publish for us.
    const sidecarUp = async () => (await fetch(`http://127.0.0.1:${config.daprHttpPort}/v1.0/healthz/outbound`, { signal: AbortSignal.timeout(2_000) })).ok;
    const lifecycle = createLifecycle(log, config.shutdownGraceMs, async () => (await mongo.ping()) && (await sidecarUp()));
    const metrics = createMetrics(name);
    const infra: Infra<C> = {
      config,
      log,
      db: mongo.db,
      publisher: createPublisher(dapr, config.pubsubName, name, metrics),
      deadLetters: await createDeadLetterStore(mongo.db),
      readiness: lifecycle,
      metrics,
      consumer: (handlers) => ({
        appId: name,
        pubsubName: config.pubsubName,
        appApiToken: config.appApiToken,
        adminToken: config.adminToken,
        handlers,
        deadLetters: infra.deadLetters,
      }),
    };
    countCommands(mongo, infra.metrics);
    const parts = await build(infra);
    const server = http.createServer(parts.app.callback());
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve) => server.listen(config.port, resolve));
    parts.start?.();
    lifecycle.listenForShutdown(server, [async () => parts.stop?.(), () => mongo.client.close(), flushTraces]);
    log.info({ port: config.port }, 'listening');
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
}

/** Database round trips by command and collection: what an order costs the database, in calls. */
function countCommands(mongo: Database, registry: Registry): void {
  const commands = new Counter({
    name: 'eventmart_db_commands_total',
    help: 'Database commands sent, by command name and collection',
    labelNames: ['command', 'collection'],
    registers: [registry],
  });
  mongo.client.on('commandStarted', (event) => {
    const collection = event.command[event.commandName];
    commands.inc({ command: event.commandName, collection: typeof collection === 'string' ? collection : '' });
  });
}
