/**
 * The fault suite (`npm run faults`): the real system on each broker, with a steady stream of
 * orders flowing while one fault at a time strikes: kill -9 of each app and of each sidecar,
 * a broker killed and restarted, the database killed, the database hung (SIGSTOP: sockets open,
 * no answer) for longer than a request waits, and payment and inventory scaled 1 → 3 → 1. Two
 * order replicas take the orders throughout. The processes are supervised as `npm start`
 * supervises them: what is killed is started again with backoff, as a kubelet would.
 *
 * Clients behave as a careful client does: each order has an Idempotency-Key and a POST that
 * fails (refused, 5xx, timeout) is sent again with the same key. After each fault, every
 * accepted order must reach a final state, and the stores must agree: each order charged and
 * held once, money and stock conserved, no dead letter. It prints, per fault and broker:
 * orders accepted, final, lost, doubled, and the seconds from the end of the fault until the
 * last of them was final. It exits 1 if any invariant failed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { call, send } from '../http';
import { allDeadLetters } from '../tools/dlq';
import type { Broker } from '../runner/infra';
import { testPorts, type ServiceName } from '../runner/ports';
import { ProcessGroup } from '../runner/processes';
import { startSystem, type Replica, type RunningSystem } from '../runner/system';
import { REPO_ROOT } from '../runner/toolchain';
import { httpOk, portOpen, waitFor } from '../runner/wait';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SKUS = ['FAULT-A', 'FAULT-B'];
const PRICE = 100;
const STOCK = 1_000_000;
const CUSTOMERS = ['fault-1', 'fault-2', 'fault-3'];
const DEPOSIT = 100_000_000;
const FINAL = ['DELIVERED', 'CANCELLED'];
const SCALE = 'scale 1 → 3 → 1';

export interface FaultOptions {
  brokers: Broker[];
  /** Orders placed during each fault. */
  orders: number;
  /** Orders a second. */
  rate: number;
  /** How long the database hangs, seconds (longer than a request's 10 s wait). */
  hangSeconds: number;
  /** Which faults, by name (all when empty). */
  only: string[];
  slot: number;
  /** How long every accepted order has to become final after a fault, seconds. */
  settleSeconds: number;
}

export interface FaultResult {
  broker: Broker;
  fault: string;
  /** Orders sent; each should be accepted (a client retries with its key for two minutes). */
  orders: number;
  accepted: number;
  final: number;
  /** Of the final ones, cancelled (by a refusal or, when the shop was stuck, by the saga's deadline). */
  cancelled: number;
  lost: number;
  doubled: number;
  recoverSeconds: number;
  deadLetters: number;
  /** Money and stock conserved (cumulative over the run). */
  conserved: boolean;
}

/** A fault: strikes, and returns once it is over (the system may still be recovering). */
type Fault = (system: RunningSystem, whileLoad: Promise<void>) => Promise<void>;

const replica = (system: RunningSystem, service: ServiceName, index = 0) => system.replicas.find((r) => r.service === service && r.index === index)!;

/** Until the replica's app and sidecar answer again (after a supervised restart). */
async function ready(r: Replica) {
  await waitFor(`${r.service}#${r.index + 1} /readyz`, () => httpOk(`${r.url}/readyz`), 120_000, 250);
  await waitFor(`${r.service}#${r.index + 1} sidecar`, () => httpOk(`http://127.0.0.1:${r.daprHttpPort}/v1.0/healthz`), 120_000, 250);
}

/** kill -9 of a service's app or its sidecar; over once both answer again (restarted by the supervisor). */
const kill =
  (service: ServiceName, which: 'app' | 'sidecar'): Fault =>
  async (system) => {
    const r = replica(system, service);
    system.group.signal(system.processesOf(r)[which], 'SIGKILL');
    await sleep(500);
    await ready(r);
  };

export function faults(options: Pick<FaultOptions, 'hangSeconds'>): Record<string, Fault> {
  const services: ServiceName[] = ['order', 'payment', 'inventory', 'shipping', 'notification'];
  return {
    ...Object.fromEntries(services.map((s) => [`kill -9 ${s}`, kill(s, 'app')])),
    ...Object.fromEntries(services.map((s) => [`kill -9 ${s} sidecar`, kill(s, 'sidecar')])),
    'kill -9 database': async (system) => {
      system.group.signal('ferretdb', 'SIGKILL');
      await sleep(1_000);
      await waitFor('the database back', () => portOpen(Number(new URL(system.mongoUrl).port)), 120_000, 250);
    },
    'database hung': async (system) => {
      system.group.signal('ferretdb', 'SIGSTOP');
      try {
        await sleep(options.hangSeconds * 1000);
      } finally {
        system.group.signal('ferretdb', 'SIGCONT');
      }
    },
    [SCALE]: async (system, whileLoad) => {
      const extra = system.replicas.filter((r) => (r.service === 'payment' || r.service === 'inventory') && r.index > 0);
      await Promise.all(extra.map((r) => system.startReplica(r)));
      await Promise.race([whileLoad, sleep(5_000)]);
      await Promise.all(extra.map((r) => system.stopReplica(r)));
    },
    // Last: on RabbitMQ it leaves consumers nobody reads (docs/measurements.md), which would slow the faults after it.
    'broker restart': async (system) => {
      const name = system.broker === 'kafka' ? 'kafka' : 'rabbitmq';
      system.group.signal(name, 'SIGKILL');
      await sleep(1_000);
      const port = Number(new URL(system.brokerAddress.includes('://') ? system.brokerAddress : `tcp://${system.brokerAddress}`).port);
      await waitFor(`${name} back`, () => portOpen(port), 180_000, 250);
    },
  };
}

/** Places `count` orders at `rate` a second, alternating between the order replicas; each is retried with its key until accepted. */
async function placeOrders(orderUrls: string[], tag: string, count: number, rate: number, placed: Placed[]): Promise<void> {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const line = { sku: SKUS[i % SKUS.length]!, quantity: 1 + (i % 3) };
    const order = { customerId: CUSTOMERS[i % CUSTOMERS.length]!, items: [line] };
    const key = `${tag}-${i}`;
    sends.push(
      (async () => {
        // A careful client: the same key until the shop accepts it (bounded: two minutes).
        for (let attempt = 0, until = Date.now() + 120_000; Date.now() < until; attempt++) {
          const url = orderUrls[(i + attempt) % orderUrls.length]!;
          const reply = await call('POST', `${url}/orders`, order, { headers: { 'Idempotency-Key': key }, timeoutMs: 15_000 }).catch(() => undefined);
          if (reply && reply.status >= 200 && reply.status < 300) {
            placed.push({ orderId: reply.body.orderId, customerId: order.customerId, sku: line.sku, quantity: line.quantity });
            return;
          }
          if (reply && reply.status >= 400 && reply.status < 500 && reply.status !== 429)
            throw new Error(`order ${key} refused: ${reply.status} ${JSON.stringify(reply.body)}`);
          await sleep(1_000);
        }
      })(),
    );
    await sleep(1000 / rate);
  }
  await Promise.all(sends);
}

interface Placed {
  orderId: string;
  customerId: string;
  sku: string;
  quantity: number;
}

/** The status of each order, once every one is final or the time is up. */
async function settle(orderUrl: string, placed: readonly Placed[], seconds: number): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  const until = Date.now() + seconds * 1000;
  for (;;) {
    for (const { orderId } of placed) {
      if (FINAL.includes(statuses.get(orderId) ?? '')) continue;
      const reply = await call('GET', `${orderUrl}/orders/${orderId}`).catch(() => undefined);
      if (reply?.status === 200) statuses.set(orderId, reply.body.status);
    }
    if (placed.every(({ orderId }) => FINAL.includes(statuses.get(orderId) ?? '')) || Date.now() > until) return statuses;
    await sleep(500);
  }
}

/** The broker's consumers now, or undefined when the broker cannot say (a diagnosis: it never stops the run). */
function consumersNow(system: RunningSystem): Map<string, number> | undefined {
  try {
    return system.brokerConsumers();
  } catch {
    return undefined;
  }
}

/** Queues with more consumers now than at the start, as "queue +n". */
function extraConsumers(before: Map<string, number> | undefined, now: Map<string, number> | undefined): string[] {
  if (!before || !now) return [];
  return [...now].flatMap(([queue, n]) => (n > (before.get(queue) ?? 0) ? [`${queue} +${n - (before.get(queue) ?? 0)}`] : []));
}

/** Orders charged more than once, held more than once, or whose money or stock does not add up with their state. */
async function audit(system: RunningSystem, all: readonly Placed[], statuses: ReadonlyMap<string, string>) {
  const { urls } = system;
  const doubled = new Set<string>();
  let conserved = true;
  const charges = new Map<string, number>();
  const refunds = new Map<string, number>();
  for (const customerId of CUSTOMERS) {
    const account = await send('GET', `${urls.payment}/accounts/${customerId}`);
    let expected = DEPOSIT;
    for (const t of account.transactions as Array<{ kind: string; amount: number; orderId?: string }>) {
      if (t.kind === 'charge') charges.set(t.orderId!, (charges.get(t.orderId!) ?? 0) + 1);
      if (t.kind === 'refund') refunds.set(t.orderId!, (refunds.get(t.orderId!) ?? 0) + 1);
      expected += t.kind === 'charge' ? -t.amount : t.kind === 'refund' ? t.amount : 0;
    }
    const delivered = all.filter((p) => p.customerId === customerId && statuses.get(p.orderId) === 'DELIVERED');
    // deposits = balance + charges − refunds, and what is left charged is exactly the delivered orders.
    if (account.balance !== expected || account.balance !== DEPOSIT - delivered.reduce((sum, p) => sum + p.quantity * PRICE, 0)) conserved = false;
  }
  for (const { orderId } of all) {
    const status = statuses.get(orderId);
    const charged = charges.get(orderId) ?? 0;
    const refunded = refunds.get(orderId) ?? 0;
    if (charged > 1 || refunded > 1 || (status === 'DELIVERED' && (charged !== 1 || refunded !== 0))) doubled.add(orderId);
  }
  for (const sku of SKUS) {
    const product = await send('GET', `${urls.inventory}/products/${sku}`);
    const sold = all.filter((p) => p.sku === sku && statuses.get(p.orderId) === 'DELIVERED').reduce((sum, p) => sum + p.quantity, 0);
    // available + held + sold = stock put; nothing is held once every order is final.
    if (product.available !== STOCK - sold) conserved = false;
  }
  let deadLetters = 0;
  for (const r of system.replicas.filter((x) => x.index === 0)) deadLetters += (await allDeadLetters(r.url, system.adminToken)).length;
  return { doubled: doubled.size, conserved, deadLetters };
}

/** Runs every fault on one broker's system; one result per fault. */
export async function runFaults(broker: Broker, options: FaultOptions, log: (line: string) => void = () => {}): Promise<FaultResult[]> {
  const logs = join(REPO_ROOT, 'artifacts', 'logs', `faults-${broker}`);
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const runDir = mkdtempSync(join(process.env.EVENTMART_TEST_DIR ?? tmpdir(), 'eventmart-faults-'));
  const group = new ProcessGroup({ kind: 'files', dir: logs });
  const known = faults(options);
  const unknown = options.only.filter((name) => !(name in known));
  if (unknown.length > 0) throw new Error(`no fault named ${unknown.join(', ')} (--list names them)`);
  const chosen = Object.entries(known).filter(([name]) => options.only.length === 0 || options.only.includes(name));
  const system = await startSystem({
    broker,
    runDir,
    group,
    ports: testPorts(options.slot),
    // Three payment and inventory replicas only when the scaling fault is to run: each is a process and a sidecar more.
    scale: { order: 2, ...(chosen.some(([name]) => name === SCALE) ? { payment: 3, inventory: 3 } : {}) },
    env: { shipping: { SHIPPING_DISPATCH_DELAY_MS: '200', SHIPPING_DELIVERY_DELAY_MS: '200' } },
  });
  const results: FaultResult[] = [];
  try {
    // Payment and inventory run one replica until the scaling fault asks for three.
    await Promise.all(system.replicas.filter((r) => (r.service === 'payment' || r.service === 'inventory') && r.index > 0).map((r) => system.stopReplica(r)));
    const { urls } = system;
    for (const sku of SKUS) await send('PUT', `${urls.inventory}/products/${sku}`, { name: sku, price: PRICE, available: STOCK });
    for (const customerId of CUSTOMERS) await send('POST', `${urls.payment}/accounts/${customerId}/deposits`, { amount: DEPOSIT });
    await waitFor('the catalog replica', async () => (await send('GET', `${urls.order}/catalog`)).products.length === SKUS.length, 120_000, 250);

    const orderUrls = system.replicas.filter((r) => r.service === 'order').map((r) => r.url);
    const all: Placed[] = [];
    const statuses = new Map<string, string>();
    const consumersAtStart = consumersNow(system);
    for (const [name, fault] of chosen) {
      const placed: Placed[] = [];
      // The fault strikes a third of the way into the orders.
      const load = placeOrders(orderUrls, `${broker}-${name.replace(/\W+/g, '-')}-${Date.now()}`, options.orders, options.rate, placed);
      await Promise.race([load, sleep((options.orders / options.rate / 3) * 1000)]);
      await fault(system, load);
      const healed = Date.now();
      await load;
      const settled = await settle(urls.order, placed, options.settleSeconds);
      const recoverSeconds = (Date.now() - healed) / 1000;
      for (const [id, status] of settled) statuses.set(id, status);
      all.push(...placed);
      // An order an earlier fault left unfinished may have finished since: the audit reads its state now.
      const unfinished = all.filter((p) => !FINAL.includes(statuses.get(p.orderId) ?? ''));
      for (const [id, status] of await settle(urls.order, unfinished, 0)) statuses.set(id, status);
      const { doubled, conserved, deadLetters } = await audit(system, all, statuses);
      const final = placed.filter((p) => FINAL.includes(settled.get(p.orderId) ?? '')).length;
      const cancelled = placed.filter((p) => settled.get(p.orderId) === 'CANCELLED').length;
      const result = {
        broker,
        fault: name,
        orders: options.orders,
        accepted: placed.length,
        final,
        cancelled,
        lost: placed.length - final,
        doubled,
        recoverSeconds,
        deadLetters,
        conserved,
      };
      results.push(result);
      log(row(result));
      const extra = extraConsumers(consumersAtStart, consumersNow(system));
      if (extra.length > 0) log(`${' '.repeat(9)}| consumers more than at the start (registered by a sidecar, read by none): ${extra.join(', ')}`);
    }
    return results;
  } finally {
    await system.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

export const HEADER = 'broker   | fault                        | accepted | final | cancelled | lost | doubled | dead letters | conserved | s to recover';
export function row(r: FaultResult): string {
  return [
    r.broker.padEnd(8),
    r.fault.padEnd(28),
    `${r.accepted}/${r.orders}`.padStart(8),
    String(r.final).padStart(5),
    String(r.cancelled).padStart(9),
    String(r.lost).padStart(4),
    String(r.doubled).padStart(7),
    String(r.deadLetters).padStart(12),
    (r.conserved ? 'yes' : 'NO').padStart(9),
    r.recoverSeconds.toFixed(1).padStart(12),
  ].join(' | ');
}

/** An order never accepted counts against the shop too: a run in which nothing was accepted tested nothing. */
export const failed = (r: FaultResult) => r.accepted < r.orders || r.lost > 0 || r.doubled > 0 || r.deadLetters > 0 || !r.conserved;

async function main() {
  const { values } = parseArgs({
    options: {
      broker: { type: 'string', multiple: true },
      orders: { type: 'string', default: '100' },
      rate: { type: 'string', default: '5' },
      'hang-seconds': { type: 'string', default: '20' },
      'settle-seconds': { type: 'string', default: '360' },
      fault: { type: 'string', multiple: true },
      slot: { type: 'string', default: '4' },
      list: { type: 'boolean', default: false },
    },
  });
  const options: FaultOptions = {
    brokers: (values.broker ?? ['kafka', 'rabbitmq']) as Broker[],
    orders: Number(values.orders),
    rate: Number(values.rate),
    hangSeconds: Number(values['hang-seconds']),
    settleSeconds: Number(values['settle-seconds']),
    only: values.fault ?? [],
    slot: Number(values.slot),
  };
  if (values.list) {
    for (const name of Object.keys(faults(options))) console.log(name);
    return;
  }
  if (!(options.orders >= 1 && options.rate > 0 && options.settleSeconds > 0 && options.hangSeconds > 0))
    throw new Error('--orders, --rate, --settle-seconds and --hang-seconds: positive numbers');
  console.log(`${options.orders} orders at ${options.rate}/s through each fault; two order replicas; logs in artifacts/logs/faults-<broker>/`);
  console.log(HEADER);
  const results: FaultResult[] = [];
  for (const broker of options.brokers) results.push(...(await runFaults(broker, options, (line) => console.log(line))));
  const bad = results.filter(failed);
  console.log(bad.length === 0 ? 'every invariant held' : `invariants broken in ${bad.length} of ${results.length} runs`);
  process.exitCode = bad.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
