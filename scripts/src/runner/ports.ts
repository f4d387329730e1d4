/**
 * Every port the local runner listens on, in one table: the services', the infrastructure's,
 * and the blocks the tests and the bench use beside a running `npm start`. Scripts and tests
 * take ports from here; the docs that name them are checked against it (test/k8s).
 */

/**
 * The five services: app id = name, with the HTTP port of their first replica. The chart,
 * kind's port mappings and skaffold's forwards use the same ports (test/k8s checks them), and
 * so does each service's own default (services/<name>/src/config.ts).
 */
export const SERVICE_PORTS = {
  order: 3000,
  payment: 3001,
  inventory: 3002,
  shipping: 3003,
  notification: 8080,
} as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICE_NAMES = Object.keys(SERVICE_PORTS) as ServiceName[];

export interface InfraPorts {
  postgres: number;
  mongo: number;
  kafka: number;
  kafkaController: number;
  rabbitmq: number;
  rabbitmqDist: number;
  epmd: number;
  /** Jaeger: OTLP gRPC (sidecars) and HTTP (services) in, the UI and its API, its health check. */
  jaeger: { otlpGrpc: number; otlpHttp: number; ui: number; queryGrpc: number; health: number };
}

export interface PortPlan extends InfraPorts {
  services: Record<ServiceName, number>;
  /** Extra replicas, and every sidecar, take ports from here upwards. */
  dynamicBase: number;
}

/** The ports of `npm start`: the contract's service ports and the brokers' usual ones. */
export function standardPorts(): PortPlan {
  return {
    postgres: 15432,
    mongo: 27017,
    kafka: 9092,
    kafkaController: 9093,
    rabbitmq: 5672,
    rabbitmqDist: 25672,
    epmd: 14369,
    jaeger: { otlpGrpc: 4317, otlpHttp: 4318, ui: 16686, queryGrpc: 16685, health: 13133 },
    services: { ...SERVICE_PORTS },
    // Below Linux's ephemeral range (32768-60999): a port there can be taken at any moment by
    // an outgoing connection, and a broker or sidecar that finds it taken fails to start.
    dynamicBase: 20000,
  };
}

/**
 * Ports shifted out of the way of a running `npm start`, for tests: one block of 1000 per
 * slot (0-9), all below the ephemeral range, like the standard ones.
 */
export function testPorts(slot: number): PortPlan {
  if (!(slot >= 0 && slot <= 9)) throw new Error(`test slot ${slot}: expected 0-9`);
  const base = 21000 + slot * 1000;
  return {
    postgres: base,
    mongo: base + 1,
    kafka: base + 2,
    kafkaController: base + 3,
    rabbitmq: base + 4,
    rabbitmqDist: base + 5,
    epmd: base + 6,
    jaeger: { otlpGrpc: base + 20, otlpHttp: base + 21, ui: base + 22, queryGrpc: base + 23, health: base + 24 },
    services: { order: base + 10, payment: base + 11, inventory: base + 12, shipping: base + 13, notification: base + 14 },
    dynamicBase: base + 100,
  };
}
