// The local addresses README.md and the docs give a reader (`curl localhost:3002/products`) are
// the runner's (scripts/src/runner/ports.ts), and each path is asked of the service that serves
// it. docs/kubernetes.md is docs.test.ts's: its ports are kind's and skaffold's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standardPorts, type ServiceName } from '../../scripts/src/runner/ports';
import { ROOT } from './tools';

const DOCS = ['README.md', 'docs/architecture.md', 'docs/consistency.md', 'docs/realtime.md', 'docs/measurements.md'];

/** Who answers a path, by its first segment: the services' routes, and Jaeger's query API. */
const SERVED_BY: Record<string, ServiceName | 'jaeger'> = {
  orders: 'order',
  accounts: 'payment',
  products: 'inventory',
  shipments: 'shipping',
  stream: 'notification',
  api: 'jaeger',
};

/** What every service answers (services/shared): any service's port will do. */
const EVERY_SERVICE = ['healthz', 'readyz', 'metrics', 'openapi', 'deadletters'];

const ports = standardPorts();
/** Port → who listens there under `npm start`. */
const listening = new Map<number, ServiceName | 'jaeger'>([
  ...Object.entries(ports.services).map(([name, port]) => [port, name as ServiceName] as const),
  [ports.jaeger.ui, 'jaeger'],
]);

const addresses = DOCS.flatMap((doc) =>
  [...readFileSync(join(ROOT, doc), 'utf8').matchAll(/localhost:(\d+)(?:\/([a-z]+))?/g)].map(([address, port, segment]) => ({
    doc,
    address,
    port: Number(port),
    segment,
  })),
);

describe("the local addresses in the README and the docs are the runner's", () => {
  it('gives only ports something listens on under npm start', () => {
    expect(addresses.length).toBeGreaterThan(10);
    expect(addresses.filter((a) => !listening.has(a.port))).toEqual([]);
  });

  it('asks each path of the service that serves it', () => {
    const paths = addresses.filter((a) => a.segment !== undefined);
    expect(paths.length).toBeGreaterThan(5);
    const wrong = paths.filter((a) =>
      EVERY_SERVICE.includes(a.segment!) ? !Object.values(ports.services).includes(a.port) : SERVED_BY[a.segment!] !== listening.get(a.port),
    );
    expect(wrong).toEqual([]);
  });
});
