/**
 * The production shape, for real, on each broker: the kind cluster `eventmart` (made by
 * `npm run cluster -- up` when missing, with every image built on this machine where no
 * registry answers), the Dapr control plane from its official chart, and Eventmart deployed
 * by `skaffold run -p <broker>`, exactly as docs/kubernetes.md tells a user. Then: every pod
 * runs its service beside an injected daprd; an order placed on the published port reaches
 * DELIVERED, its facts arrive on the page's stream and its trace (all five services) is in the
 * cluster's Jaeger; consumers scale up and back down with
 * orders flowing, and nothing is lost, done twice or dead-lettered; the next broker is a
 * redeploy with the other profile; `skaffold dev` rolls a new pod when a source file changes.
 * kubectl's view of the cluster and every container's log land in artifacts/cluster/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subscribe, type PushedEvent } from '../../scripts/src/bench/sse-client';
import { SERVICE_NAMES, SERVICE_PORTS } from '../../scripts/src/runner/ports';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';
import { call, eventually, orderReaches } from '../support/http';
import { BROKERS } from '../support/system';
import { ARTIFACTS, clusterEnv, inPod, kubectl, kubectlJson, run, saveState, start, tcpFromService, tcpFromStranger } from './kube';

jest.setTimeout(20 * 60_000);

// kind publishes these Services on the host at their own ports (k8s/kind-config.yaml; test/k8s checks it).
const ORDER = `http://127.0.0.1:${SERVICE_PORTS.order}`;
const PAYMENT = `http://127.0.0.1:${SERVICE_PORTS.payment}`;
const PAGE = `http://127.0.0.1:${SERVICE_PORTS.notification}`;
const TRACES = 'http://127.0.0.1:16686';
const FINAL = new Set(['DELIVERED', 'CANCELLED']);

let env: NodeJS.ProcessEnv;
let createdCluster = false;

beforeAll(async () => {
  const before = clusterEnv();
  createdCluster = !execFileSync('bash', ['-c', 'kind get clusters 2>/dev/null || true'], { env: before, encoding: 'utf8' }).split('\n').includes('eventmart');
  await run(before, 'cluster-up.log', 'bash', ['scripts/cluster/cluster.sh', 'up'], 60 * 60_000);
  env = clusterEnv();
}, 60 * 60_000);

afterAll(async () => {
  // Leave a cluster the user made; remove the one this test made (CI: nothing stays behind).
  if (createdCluster && env) await run(env, 'cluster-down.log', 'bash', ['scripts/cluster/cluster.sh', 'down'], 5 * 60_000);
});

/** Waits until every Eventmart pod is Ready with both containers, and returns them. */
async function eventmartPods(expected: Partial<Record<string, number>> = {}): Promise<any[]> {
  return eventually(
    'every Eventmart pod Ready with its sidecar',
    async () => {
      const pods = kubectlJson(env, 'get', 'pods', '-n', 'default', '-l', 'app.kubernetes.io/part-of=eventmart').items.filter((p: any) =>
        (SERVICE_NAMES as readonly string[]).includes(p.metadata.labels['app.kubernetes.io/name']),
      );
      const live = pods.filter((p: any) => !p.metadata.deletionTimestamp);
      for (const name of SERVICE_NAMES) {
        const mine = live.filter((p: any) => p.metadata.labels['app.kubernetes.io/name'] === name);
        if (mine.length !== (expected[name] ?? 1)) return undefined;
      }
      const ready = live.every((p: any) => p.status.containerStatuses?.length === 2 && p.status.containerStatuses.every((c: any) => c.ready));
      return ready && live.length === pods.length ? live : undefined;
    },
    5 * 60_000,
  );
}

/**
 * One order of the steady flow. It may take a while while new replicas start on the one node (a
 * POST took more than the usual 10 s there), and it is not sent again: one the service accepted
 * after the client gave up would be sold but not counted.
 */
async function placeOrder(customerId: string, sku: string, quantity: number): Promise<string> {
  const placed = await call('POST', `${ORDER}/orders`, { customerId, items: [{ sku, quantity }] }, { timeoutMs: 60_000 });
  expect(placed.status).toBe(202);
  return placed.body.orderId as string;
}

/**
 * Waits until every order is final, asking one at a time, only about those that are not yet, a
 * round a second: all of them at once every 100 ms kept the one node so busy that the probes
 * failed (the order API then left its Service: `fetch failed`). A timeout names what is left.
 */
async function finalStates(ids: string[]): Promise<any[]> {
  const final = new Map<string, any>();
  const open = new Map<string, string>();
  try {
    return await eventually(
      `all ${ids.length} orders to reach a final state`,
      async () => {
        for (const id of ids.filter((i) => !final.has(i))) {
          const order = (await call('GET', `${ORDER}/orders/${id}`)).body;
          if (FINAL.has(order?.status)) {
            final.set(id, order);
            open.delete(id);
          } else open.set(id, order?.status);
        }
        if (final.size === ids.length) return ids.map((id) => final.get(id));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return undefined;
      },
      5 * 60_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; not final: ${JSON.stringify(Object.fromEntries(open))}`);
  }
}

/** What the broker holds for each consumer, in artifacts/cluster/: messages waiting, and delivered but not acknowledged. */
function saveBrokerState(broker: string): void {
  const [pod, ...command] =
    broker === 'rabbitmq'
      ? ['rabbitmq-0', 'rabbitmqctl', '-q', 'list_queues', 'name', 'consumers', 'messages_ready', 'messages_unacknowledged']
      : ['kafka-0', '/opt/kafka/bin/kafka-consumer-groups.sh', '--bootstrap-server', 'localhost:9094', '--describe', '--all-groups'];
  let text: string;
  try {
    text = kubectl(env, 'exec', pod!, '--', ...command);
  } catch (err) {
    text = String(err);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `queues-${broker}.txt`), text);
}

describe.each(BROKERS)('Eventmart on kind with %s', (broker) => {
  const profile = ['-p', broker];

  beforeAll(async () => {
    await run(env, `skaffold-run-${broker}.log`, 'skaffold', ['run', ...profile, '--kube-context', 'kind-eventmart'], 30 * 60_000);
  }, 30 * 60_000);

  afterAll(async () => {
    saveState(env, broker);
    // The swap: the next broker is a redeploy with the other profile. The last one goes in the `skaffold dev` test.
    if (broker !== BROKERS[BROKERS.length - 1]) {
      await run(env, `skaffold-delete-${broker}.log`, 'skaffold', ['delete', ...profile, '--kube-context', 'kind-eventmart'], 10 * 60_000);
    }
  });

  test('every service runs beside an injected daprd, with mTLS from sentry', async () => {
    const pods = await eventmartPods();
    for (const pod of pods) {
      const name = pod.metadata.labels['app.kubernetes.io/name'];
      expect(pod.spec.containers.map((c: any) => c.name).sort()).toEqual(['daprd', name].sort());
      expect(pod.metadata.annotations['dapr.io/app-id']).toBe(name);
    }
    const system = kubectlJson(env, 'get', 'configurations.dapr.io', 'daprsystem', '-n', 'dapr-system');
    expect(system.spec.mtls.enabled).toBe(true);
    const sentry = kubectlJson(env, 'get', 'pods', '-n', 'dapr-system', '-l', 'app=dapr-sentry').items;
    expect(sentry.length).toBeGreaterThan(0);
    // A sidecar that got its workload certificate from sentry says so in its log.
    const log = kubectl(env, 'logs', 'deploy/order', '-c', 'daprd', '--tail=-1');
    expect(log).toMatch(/mTLS enabled|Security is initialized successfully|Using trust domain/i);
    // The broker's component is the one the profile deployed.
    const component = kubectlJson(env, 'get', 'components.dapr.io', 'pubsub', '-n', 'default');
    expect(component.spec.type).toBe(`pubsub.${broker}`);
  });

  test('NetworkPolicies are enforced: a pod that is not an Eventmart service reaches neither the broker nor the database; a service pod reaches both', async () => {
    await eventmartPods();
    const brokerAt = broker === 'kafka' ? 'kafka:9092' : 'rabbitmq:5672';
    expect(tcpFromService(env, 'order', [brokerAt, 'mongodb:27017'])).toEqual({ [brokerAt]: 'open', 'mongodb:27017': 'open' });
    const stranger = tcpFromStranger(env, 'order', ['jaeger:16686', brokerAt, 'mongodb:27017']);
    // Its network works (Jaeger's query port takes anyone); what the policies guard does not answer it.
    expect(stranger['jaeger:16686']).toBe('open');
    expect(stranger[brokerAt]).not.toBe('open');
    expect(stranger['mongodb:27017']).not.toBe('open');
    expect(stranger[brokerAt]).not.toBe('ENOTFOUND');
  });

  test('an order placed on the published port reaches DELIVERED, and the page stream shows its facts', async () => {
    expect(inPod(env, 'inventory', SERVICE_PORTS.inventory, 'PUT', '/products/K-1', { name: 'Kettle', price: 2500, available: 100 }).status).toBe(200);
    expect((await call('POST', `${PAYMENT}/accounts/k-alice/deposits`, { amount: 100_000 })).status).toBe(201);
    const seen: PushedEvent[] = [];
    const stop = subscribe(PAGE, (event) => seen.push(event));
    try {
      const orderId = await eventually(
        'an order accepted (catalog replica filled)',
        async () => {
          const placed = await call('POST', `${ORDER}/orders`, { customerId: 'k-alice', items: [{ sku: 'K-1', quantity: 2 }] });
          return placed.status === 202 ? (placed.body.orderId as string) : undefined;
        },
        120_000,
      );
      const order = await orderReaches(ORDER, orderId, 'DELIVERED', 120_000);
      expect(order.total).toBe(5000);
      const types = await eventually("the order's facts on the stream", async () => {
        const mine = seen.filter((e) => e.data.orderId === orderId).map((e) => e.type);
        return mine.some((t) => t.includes('order.delivered')) ? mine : undefined;
      });
      for (const fact of ['order.placed', 'payment.succeeded', 'stock.reserved', 'order.confirmed', 'shipment.dispatched', 'order.delivered']) {
        expect(types.some((t) => t.includes(fact))).toBe(true);
      }
      expect(new Set(seen.filter((e) => e.data.orderId === orderId).map((e) => e.id)).size).toBe(types.length);
      // Its trace is in the cluster's Jaeger (k8s/jaeger), published on localhost:16686, with spans of all five services.
      const services = await eventually(
        'the order trace in Jaeger with all five services',
        async () => {
          const reply = await call('GET', `${TRACES}/api/traces/${order.traceId}`);
          const trace = reply.status === 200 ? reply.body.data[0] : undefined;
          const names = new Set(Object.values(trace?.processes ?? {}).map((p: any) => p.serviceName as string));
          return SERVICE_NAMES.every((s) => names.has(s)) ? [...names] : undefined;
        },
        60_000,
      );
      expect(services).toEqual(expect.arrayContaining(SERVICE_NAMES));
    } finally {
      stop();
    }
  });

  test('inventory and payment scale up and back down while orders flow: none lost, none done twice', async () => {
    // Names of this run only: the cluster's database outlives a test run.
    const tag = Date.now().toString(36);
    const customers = [1, 2, 3, 4].map((n) => `k-${tag}-${n}`);
    const deposit = 50_000;
    const stock = 400;
    const sku = `K-${broker}-${tag}`;
    expect(inPod(env, 'inventory', SERVICE_PORTS.inventory, 'PUT', `/products/${sku}`, { name: 'Lamp', price: 700, available: stock }).status).toBe(200);
    for (const c of customers) expect((await call('POST', `${PAYMENT}/accounts/${c}/deposits`, { amount: deposit })).status).toBe(201);
    const ids: string[] = [];
    // The first order is accepted once order's catalog replica has the product (product.changed).
    ids.push(
      await eventually(
        'the catalog replica to know the product',
        async () => {
          const first = await call('POST', `${ORDER}/orders`, { customerId: customers[0], items: [{ sku, quantity: 1 }] });
          return first.status === 202 ? (first.body.orderId as string) : undefined;
        },
        120_000,
      ),
    );

    // A steady stream of orders, 2 a second, until told to stop (bounded: at most 400).
    let flowing = true;
    const flow = (async () => {
      for (let i = 0; flowing && i < 400; i++) {
        ids.push(await placeOrder(customers[i % customers.length]!, sku, 1 + (i % 3)));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const scale = (service: string, replicas: number) => kubectl(env, 'scale', `deployment/${service}`, `--replicas=${replicas}`);
    // The logs of the replicas that scale down are gone with them: follow every pod's meanwhile.
    const following: ReturnType<typeof start>[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      scale('inventory', 3);
      scale('payment', 2);
      await eventmartPods({ inventory: 3, payment: 2 });
      for (const service of ['inventory', 'payment'])
        following.push(
          start(env, `scaling-${broker}-${service}.log`, 'kubectl', [
            'logs',
            '-f',
            '-l',
            `app.kubernetes.io/name=${service}`,
            '--all-containers',
            '--prefix',
            '--max-log-requests=10',
            '--tail=-1',
          ]),
        );
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      scale('inventory', 1);
      scale('payment', 1);
      await eventmartPods();
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    } finally {
      flowing = false;
      await flow;
    }
    expect(ids.length).toBeGreaterThan(30);

    const orders = await finalStates(ids).finally(() => {
      following.forEach((f) => f.child.kill());
      saveBrokerState(broker);
    });
    // Every customer could pay for every order and the stock covers them all.
    expect(orders.filter((o) => o.status !== 'DELIVERED').map((o) => [o.orderId, o.status, o.reason])).toEqual([]);

    // Stock conserved: what is left is what was there less what was sold.
    const sold = orders.reduce((n, o) => n + o.items.reduce((m: number, item: any) => m + item.quantity, 0), 0);
    const product = inPod(env, 'inventory', SERVICE_PORTS.inventory, 'GET', `/products/${sku}`).body;
    expect(product.available).toBe(stock - sold);

    // Money conserved, and each order charged exactly once.
    for (const c of customers) {
      const account = (await call('GET', `${PAYMENT}/accounts/${c}`)).body;
      const mine = orders.filter((o) => o.customerId === c);
      const charges = account.transactions?.filter((t: any) => t.kind === 'charge') ?? [];
      expect(charges.map((t: any) => t.orderId).sort()).toEqual(mine.map((o) => o.orderId).sort());
      expect(account.balance).toBe(deposit - mine.reduce((n, o) => n + o.total, 0));
    }

    // No dead letters anywhere.
    for (const service of ['order', 'payment', 'inventory', 'shipping'] as const) {
      const letters = inPod(env, service, SERVICE_PORTS[service], 'GET', '/deadletters').body.deadLetters;
      expect([service, letters]).toEqual([service, []]);
    }
  });

  if (broker === BROKERS[BROKERS.length - 1]) {
    test('skaffold dev rolls a new pod of the one service whose source changed, and Ctrl-C removes what it deployed', async () => {
      const file = join(REPO_ROOT, 'services/shipping/src/config.ts');
      const original = readFileSync(file, 'utf8');
      const shippingPods = () =>
        kubectlJson(env, 'get', 'pods', '-n', 'default', '-l', 'app.kubernetes.io/name=shipping').items.map((p: any) => p.metadata.name as string);
      const orderPods = () =>
        kubectlJson(env, 'get', 'pods', '-n', 'default', '-l', 'app.kubernetes.io/name=order').items.map((p: any) => p.metadata.name as string);
      const dev = start(env, `skaffold-dev-${broker}.log`, 'skaffold', ['dev', ...profile, '--kube-context', 'kind-eventmart']);
      const exited = new Promise<number | null>((resolve) => dev.child.on('close', resolve));
      try {
        await eventually('skaffold dev to watch for changes', async () => (/Watching for changes/.test(dev.output()) ? true : undefined), 15 * 60_000);
        await eventmartPods();
        const [before, ordersBefore] = [shippingPods(), orderPods()];
        writeFileSync(file, `${original}\n// A change made by test/cluster: skaffold dev rebuilds this one image.\n`);
        const after = await eventually(
          'a new shipping pod, Ready',
          async () => {
            const now = shippingPods();
            if (now.some((p: string) => before.includes(p))) return undefined;
            await eventmartPods();
            return now;
          },
          10 * 60_000,
        );
        expect(after.length).toBe(1);
        expect(orderPods()).toEqual(ordersBefore);
      } finally {
        writeFileSync(file, original);
        dev.child.kill('SIGINT');
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 5 * 60_000)));
      expect(await Promise.race([exited, late])).toBe(0);
      clearTimeout(timer);
      expect(kubectl(env, 'get', 'deployments', '-n', 'default', '-o', 'name').trim()).toBe('');
    });
  }
});
