/**
 * `npm run bench` answers, on each broker, in one run and side by side:
 *  - latency: POST /orders → order.confirmed on the page's SSE stream at a fixed rate
 *    (`--orders` at `--rate`), next to two baselines of the same run: GET /healthz (HTTP
 *    alone) and PUT /products → product.changed on the stream (one service, its outbox and
 *    one broker hop);
 *  - cost: CPU per order by process type (service, daprd, broker, database) from /proc, the
 *    database round trips per order by service, and the whole system's idle CPU;
 *  - capacity: the highest rate of `--sweep` (each step `--step-seconds` long) at which every
 *    order confirms with p99 ≤ 1 s;
 *  - history: capacity and idle CPU again after `--history` prior orders in the stores;
 *  - baseline: the same flow wired with kafkajs / amqplib and the same database, no Dapr
 *    (baseline.ts), on the same broker and database, its capacity and the ratio.
 * Not a test: it prints figures (a short run of it is in `npm test`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SWEEP_MS } from '@eventmart/shared/timers';
import { send } from '../http';
import type { Broker } from '../runner/infra';
import { SERVICE_NAMES, testPorts, type PortPlan } from '../runner/ports';
import { ProcessGroup } from '../runner/processes';
import { startSystem, type RunningSystem } from '../runner/system';
import { locateToolchain, REPO_ROOT } from '../runner/toolchain';
import { httpOk, waitFor } from '../runner/wait';
import { cpuByGroup, processKind, sampleRss } from './cpu';
import { dbCommands, perOrder } from './db-commands';
import { Arrivals, atRate, capacity, confirmedKey, figures, sleep, type Capacity, type Figures, type RateRun } from './flow';
import { seedHistory, type History } from './history';

const KINDS = ['service', 'daprd', 'broker', 'database', 'tracing'] as const;

/**
 * An order posted beyond the system's capacity waits behind the others: the sweep measures
 * that, so its POST has minutes, not the usual seconds, before it counts as failed.
 */
const ORDER_POST = { timeoutMs: 5 * 60_000 };

/** CPU seconds by process type (service, daprd, broker, database), from CPU seconds by process. */
function byKind(byName: Map<string, number>): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const [name, seconds] of byName) kinds.set(processKind(name), (kinds.get(processKind(name)) ?? 0) + seconds);
  return kinds;
}

/** Runs `work` and returns its result with the CPU seconds it cost per `per()` unit, by process. */
async function costed<T>(group: ProcessGroup, work: () => Promise<T>, per: (result: T) => number): Promise<{ result: T; cpu: Map<string, number> }> {
  const before = cpuByGroup(group.list());
  const result = await work();
  const after = cpuByGroup(group.list());
  const n = Math.max(1, per(result));
  return { result, cpu: new Map([...after].map(([name, seconds]) => [name, (seconds - (before.get(name) ?? 0)) / n])) };
}

/** Each process's CPU over a quiet window, as a share of one core. */
async function idleCpu(group: ProcessGroup, seconds: number): Promise<Map<string, number>> {
  const { cpu } = await costed(
    group,
    () => sleep(seconds * 1000),
    () => seconds,
  );
  return cpu;
}

const total = (byName: Map<string, number>) => [...byName.values()].reduce((a, b) => a + b, 0);

/** Each process's highest resident set over the steps. */
function peakOf(steps: readonly RateRun[]): Map<string, number> {
  const peak = new Map<string, number>();
  for (const step of steps) for (const [name, bytes] of step.rss ?? []) peak.set(name, Math.max(peak.get(name) ?? 0, bytes));
  return peak;
}

interface Options {
  orders: number;
  rate: number;
  spread: number;
  rates: number[];
  stepSeconds: number;
  history: number;
  baseline: boolean;
  /** Also run the fixed-rate orders with every order traced (sampling 1), for the cost of tracing. */
  tracing: boolean;
  idleSeconds: number;
}

interface BrokerResult {
  broker: Broker;
  fixed: RateRun;
  productHop: Figures;
  healthz: Figures;
  cpu: Map<string, number>;
  commands: Map<string, Map<string, number>>;
  /** Each process's share of a core with nothing to do. */
  idle: Map<string, number>;
  capacity: Capacity;
  /** Peak resident memory by process, bytes: over the steps up to the capacity rate, and over the whole sweep. */
  rss: { atCapacity: Map<string, number>; sweep: Map<string, number> };
  history?: { seeded: History; capacity: Capacity; idle: Map<string, number> };
  baseline?: { fixed: RateRun; cpu: Map<string, number>; capacity: Capacity };
  /** The fixed-rate orders again, on a system that traces every order (the rest runs at sampling 0). */
  traced?: { fixed: RateRun; cpu: Map<string, number> };
}

/** A system ready for orders: customers and products to spread them over, the page stream hearing, the catalog filled. */
async function ready(system: RunningSystem, options: Options): Promise<{ arrivals: Arrivals; place: (i: number) => Promise<string> }> {
  const { urls } = system;
  // Orders go round-robin over `spread` customers and products, as in a shop: one customer's
  // ledger and one product's stock are each a stream that serializes its own writes.
  const customers = Array.from({ length: options.spread }, (_, i) => `bench-${i}`);
  const skus = Array.from({ length: options.spread }, (_, i) => `BENCH-${i}`);
  for (const customerId of customers) await send('POST', `${urls.payment}/accounts/${customerId}/deposits`, { amount: 100_000_000 });
  for (const sku of skus) await send('PUT', `${urls.inventory}/products/${sku}`, { name: sku, price: 100, available: 1_000_000 });
  const arrivals = new Arrivals(urls.notification, (event) =>
    event.type.includes('order.confirmed')
      ? confirmedKey(event.data.orderId!)
      : event.type.includes('product.changed')
        ? `stock:${event.data.sku}:${event.data.available}`
        : undefined,
  );
  const place = async (i: number) =>
    (
      await send<{ orderId: string }>(
        'POST',
        `${urls.order}/orders`,
        { customerId: customers[i % customers.length], items: [{ sku: skus[i % skus.length], quantity: 1 }] },
        ORDER_POST,
      )
    ).orderId;
  try {
    // The broadcast subscription starts at the newest offset: nudge until the stream hears.
    for (let available = 1_000_000; ; available++) {
      const heard = arrivals.arrival(`stock:BENCH:${available}`, 1_000);
      await send('PUT', `${urls.inventory}/products/BENCH`, { name: 'Bench', price: 100, available });
      if ((await heard) !== undefined) break;
    }
    while ((await send('GET', `${urls.order}/catalog`)).products.length < options.spread + 1) await sleep(200);
  } catch (err) {
    arrivals.close();
    throw err;
  }
  return { arrivals, place };
}

/** The fixed-rate orders: their latency, and the CPU each confirmed order cost by process. */
function fixedRate(system: RunningSystem, arrivals: Arrivals, place: (i: number) => Promise<string>, options: Options) {
  return costed(
    system.group,
    () => atRate(place, arrivals, options.rate, options.orders, 60_000),
    (run) => run.latency.n,
  );
}

async function measureEventmart(system: RunningSystem, ports: PortPlan, options: Options): Promise<Omit<BrokerResult, 'baseline'>> {
  const { urls, group } = system;
  const { arrivals, place } = await ready(system, options);
  try {
    const healthz: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await send('GET', `${urls.order}/healthz`);
      healthz.push(performance.now() - t0);
    }
    const productHop: number[] = [];
    for (let i = 0; i < 50; i++) {
      const available = 2_000_000 + i;
      const heard = arrivals.arrival(`stock:BENCH:${available}`, 10_000);
      const t0 = performance.now();
      await send('PUT', `${urls.inventory}/products/BENCH`, { name: 'Bench', price: 100, available });
      const at = await heard;
      if (at !== undefined) productHop.push(at - t0);
    }

    console.log(`${system.broker}: ${options.orders} orders at ${options.rate}/s …`);
    const commandsBefore = await dbCommands(urls);
    const { result: fixed, cpu } = await fixedRate(system, arrivals, place, options);
    const commands = perOrder(commandsBefore, await dbCommands(urls), fixed.latency.n);
    await reportMissing(system, fixed.missing);
    // Shipments go on after the confirmations: the stream falls silent when they are done.
    await arrivals.quiet(5_000, 120_000);
    const idle = await idleCpu(group, options.idleSeconds);

    console.log(`${system.broker}: capacity sweep …`);
    let offset = options.orders;
    const sweep = async () => {
      const result = await capacity(
        (i) => place(offset + i),
        arrivals,
        options.rates,
        options.stepSeconds,
        () => sampleRss(() => group.list()),
      );
      offset += result.steps.reduce((n, step) => n + step.orders, 0);
      return result;
    };
    const empty = await sweep();
    // Memory at the capacity rate: each process's peak over the steps carried (the target's
    // measure), and over the whole sweep, the step beyond capacity included (an overload).
    const rss = { atCapacity: peakOf(empty.steps.filter((step) => step.rate <= empty.rate)), sweep: peakOf(empty.steps) };

    let history: BrokerResult['history'];
    if (options.history > 0) {
      console.log(`${system.broker}: seeding ${options.history} prior orders …`);
      const seeded = await seedHistory(urls, system.mongoUrl, options.history);
      // A shop that served these orders over weeks would have had them vacuumed and analyzed
      // by autovacuum long since; after a bulk load that work is still to come, and would be
      // measured as the history's cost. Do it now, as an operator does after a bulk load.
      execFileSync(join(locateToolchain().postgresBin, 'psql'), ['-h', '127.0.0.1', '-p', String(ports.postgres), '-U', 'postgres', '-qc', 'VACUUM ANALYZE'], {
        stdio: 'pipe',
      });
      console.log(`${system.broker}: ${seeded.documents} documents in ${seeded.seconds.toFixed(0)} s; capacity sweep again …`);
      await arrivals.quiet(5_000, 120_000);
      const idleAfter = await idleCpu(group, options.idleSeconds);
      history = { seeded, capacity: await sweep(), idle: idleAfter };
    }
    return { broker: system.broker, fixed, productHop: figures(productHop), healthz: figures(healthz), cpu, commands, idle, capacity: empty, rss, history };
  } finally {
    arrivals.close();
  }
}

/** The fixed-rate orders on a system of its own that traces every order into its Jaeger. */
async function measureTraced(start: (sampling: number) => Promise<RunningSystem>, options: Options): Promise<NonNullable<BrokerResult['traced']>> {
  const system = await start(1);
  try {
    console.log(`${system.broker}: ${options.orders} orders at ${options.rate}/s, every one traced …`);
    const { arrivals, place } = await ready(system, options);
    try {
      const { result: fixed, cpu } = await fixedRate(system, arrivals, place, options);
      await reportMissing(system, fixed.missing);
      return { fixed, cpu };
    } finally {
      arrivals.close();
    }
  } finally {
    await system.stop();
  }
}

/** An order not confirmed in time: say where it stands, which tells a slow system from a stuck one. */
async function reportMissing(system: RunningSystem, missing: string[]) {
  const statuses = new Map<string, number>();
  for (const orderId of missing) {
    const { status } = await send('GET', `${system.urls.order}/orders/${orderId}`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  if (statuses.size > 0) console.log(`${system.broker}: not confirmed in time, by status now: ${[...statuses].map(([s, n]) => `${n} ${s}`).join(', ')}`);
}

/** Eventmart's services and sidecars stop; the baseline's four roles start on the same broker and database. */
async function measureBaseline(system: RunningSystem, ports: PortPlan, options: Options): Promise<NonNullable<BrokerResult['baseline']>> {
  for (const replica of system.replicas) await system.stopReplica(replica);
  const env = { BASELINE_BROKER: system.broker, BASELINE_BROKER_ADDRESS: system.brokerAddress, BASELINE_MONGODB_URL: system.mongoUrl };
  const rolePorts = { order: ports.services.order, payment: 0, inventory: 0, notification: ports.services.notification };
  for (const [role, port] of Object.entries(rolePorts)) {
    const started = system.group.start(`baseline-${role}`, process.execPath, [join(__dirname, 'baseline.js'), role], {
      tier: 2,
      env: { ...env, BASELINE_PORT: String(port) },
    });
    if (port)
      await waitFor(`baseline ${role}`, () => httpOk(`http://127.0.0.1:${port}/healthz`).catch(() => false), 60_000, 250, system.group.running(started));
  }
  const url = (role: 'order' | 'notification') => `http://127.0.0.1:${rolePorts[role]}`;
  const arrivals = new Arrivals(url('notification'), (event) => (event.type === 'order.confirmed' ? confirmedKey(event.data.orderId!) : undefined));
  const place = async () => (await send<{ orderId: string }>('POST', `${url('order')}/orders`, {}, ORDER_POST)).orderId;
  try {
    // Consumers join their groups after the roles are up: place orders until one confirms.
    for (let i = 0; ; i++) {
      if ((await arrivals.arrival(confirmedKey(await place()), 1_000)) !== undefined) break;
      if (i > 120) throw new Error('the baseline confirmed no order in 2 minutes');
    }
    await arrivals.quiet(2_000, 30_000);
    console.log(`${system.broker}: baseline, ${options.orders} orders at ${options.rate}/s, then its capacity sweep …`);
    const { result: fixed, cpu } = await costed(
      system.group,
      () => atRate(place, arrivals, options.rate, options.orders, 60_000),
      (run) => run.latency.n,
    );
    await arrivals.quiet(2_000, 60_000);
    return { fixed, cpu, capacity: await capacity(place, arrivals, options.rates, options.stepSeconds) };
  } finally {
    arrivals.close();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '300' },
      rate: { type: 'string', default: '5' },
      broker: { type: 'string', multiple: true, default: ['kafka', 'rabbitmq'] },
      slot: { type: 'string', default: '3' },
      spread: { type: 'string', default: '50' },
      sweep: { type: 'string', default: '5,7,10,14,20,28,40,56,80,113,160' },
      'step-seconds': { type: 'string', default: '10' },
      // Two periods of the services' sweeps (every 30 s): a shorter window catches one sweep or
      // none by chance, and its figure says more about when it started than about idle.
      'idle-seconds': { type: 'string', default: String((2 * SWEEP_MS) / 1000) },
      history: { type: 'string', default: '100000' },
      baseline: { type: 'boolean', default: true },
      'no-baseline': { type: 'boolean', default: false },
      'no-tracing': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const options: Options = {
    orders: Number(values.orders),
    rate: Number(values.rate),
    spread: Number(values.spread),
    rates: values.sweep.split(',').map(Number),
    stepSeconds: Number(values['step-seconds']),
    history: Number(values.history),
    baseline: values.baseline && !values['no-baseline'],
    tracing: !values['no-tracing'],
    idleSeconds: Number(values['idle-seconds']),
  };
  if (!(options.orders > 0 && options.rate > 0 && options.spread > 0)) throw new Error('--orders, --rate and --spread are positive numbers');
  if (!(options.rates.length > 0 && options.rates.every((r) => r > 0) && options.stepSeconds > 0))
    throw new Error('--sweep is a list of positive rates, --step-seconds positive');
  if (!(options.idleSeconds > 0)) throw new Error('--idle-seconds is a positive number');
  if (!(options.history >= 0)) throw new Error('--history is a number of orders (0: none)');

  const results: BrokerResult[] = [];
  for (const broker of values.broker as Broker[]) {
    const ports = testPorts(Number(values.slot));
    // A system with a Jaeger beside it, tracing this share of the orders: 0 for every figure but the traced pass.
    const start = async (sampling: number) => {
      const runDir = mkdtempSync(join(tmpdir(), 'eventmart-bench-'));
      const logs = join(REPO_ROOT, 'artifacts', 'logs', `bench-${broker}${sampling > 0 ? '-traced' : ''}`);
      mkdirSync(logs, { recursive: true });
      console.log(`${broker}: starting the system (trace sampling ${sampling}) …`);
      // --profile: each service writes a V8 CPU profile when it stops (open it in Chrome's DevTools).
      const nodeFlags = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(REPO_ROOT, 'artifacts', 'profiles', `bench-${broker}`)}`] : [];
      // Shipments move on after a second each (not 3 + 5 s): an order's whole flow falls inside the measured window.
      const shipping = { SHIPPING_DISPATCH_DELAY_MS: '1000', SHIPPING_DELIVERY_DELAY_MS: '1000' };
      const group = new ProcessGroup({ kind: 'files', dir: logs });
      const system = await startSystem({ broker, runDir, group, ports, logLevel: 'warn', nodeFlags, env: { shipping }, tracing: { sampling } });
      const stop = system.stop;
      system.stop = async () => {
        await stop();
        rmSync(runDir, { recursive: true, force: true });
      };
      return system;
    };
    const system = await start(0);
    let result: BrokerResult;
    try {
      result = await measureEventmart(system, ports, options);
      if (options.baseline) result.baseline = await measureBaseline(system, ports, options);
    } finally {
      await system.stop();
    }
    if (options.tracing) result.traced = await measureTraced(start, options);
    results.push(result);
  }
  print(results, options, values.verbose);
}

function print(results: BrokerResult[], options: Options, verbose: boolean) {
  const f = (x: Figures) => `${x.p50.toFixed(1).padStart(7)} ${x.p99.toFixed(1).padStart(7)}`;
  const counted = (run: RateRun) => `${run.latency.n}/${run.orders}${run.missing.length ? ` (${run.missing.length} not confirmed in 60 s)` : ''}`;
  const name = (broker: string) => broker.padEnd(9);

  console.log(
    `\nlatency in ms, median and p99 (${options.orders} orders at ${options.rate}/s over ${options.spread} customers and products; baselines measured in the same run)`,
  );
  console.log('broker    | POST /orders → order.confirmed on SSE | PUT /products → product.changed on SSE | GET /healthz round trip | confirmed');
  console.log('          |     p50     p99 |     p50     p99 |     p50     p99 |');
  for (const r of results) console.log(`${name(r.broker)} | ${f(r.fixed.latency)} | ${f(r.productHop)} | ${f(r.healthz)} | ${counted(r.fixed)}`);
  for (const r of results)
    if (r.baseline) console.log(`${name(`${r.broker}*`)} | ${f(r.baseline.fixed.latency)} |       -       - |       -       - | ${counted(r.baseline.fixed)}`);
  if (results.some((r) => r.baseline)) console.log('* the direct-client baseline (kafkajs / amqplib, the same database, no Dapr)');

  const cost = (byName: Map<string, number>) => {
    const cpu = byKind(byName);
    const total = KINDS.reduce((sum, kind) => sum + (cpu.get(kind) ?? 0), 0);
    return `${KINDS.map((kind) => (1000 * (cpu.get(kind) ?? 0)).toFixed(1).padStart(8)).join(' | ')} | ${(1000 * total).toFixed(1).padStart(8)}`;
  };
  const percent = (share: number | undefined) => (share === undefined ? '-' : `${(100 * share).toFixed(1)} %`).padStart(7);
  console.log(
    `\nCPU per confirmed order at ${options.rate}/s, ms, by process type (user + system from /proc); idle: the whole system over ${options.idleSeconds} s with nothing to do, % of one core`,
  );
  console.log(`broker    | ${KINDS.map((k) => k.padStart(8)).join(' | ')} |    total |    idle | idle after history`);
  for (const r of results) console.log(`${name(r.broker)} | ${cost(r.cpu)} | ${percent(total(r.idle))} | ${percent(r.history && total(r.history.idle))}`);
  for (const r of results) if (r.baseline) console.log(`${name(`${r.broker}*`)} | ${cost(r.baseline.cpu)} |       - |       -`);
  const top = (byName: Map<string, number>) =>
    [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([process, share]) => `${process} ${(100 * share).toFixed(1)} %`)
      .join(', ');
  if (verbose)
    for (const r of results) {
      console.log(`  ${r.broker} idle by process: ${top(r.idle)}`);
      if (r.history) console.log(`  ${r.broker} idle after history by process: ${top(r.history.idle)}`);
    }
  if (verbose)
    for (const r of results)
      console.log(
        `  ${r.broker} by process, ms: ${[...r.cpu]
          .sort((a, b) => b[1] - a[1])
          .map(([process, seconds]) => `${process} ${(1000 * seconds).toFixed(1)}`)
          .join(', ')}`,
      );

  if (results.some((r) => r.traced)) {
    console.log(
      `\nthe cost of tracing: the ${options.orders} orders at ${options.rate}/s with trace sampling 0 (every figure above) and 1 (every order traced into Jaeger), latency in ms and CPU per confirmed order in ms`,
    );
    console.log('broker    | sampling |     p50     p99 | service |   daprd | tracing |   total | confirmed');
    const row = (broker: string, sampling: number, run: RateRun, cpu: Map<string, number>) => {
      const kinds = byKind(cpu);
      const ms = (kind: string) => (1000 * (kinds.get(kind) ?? 0)).toFixed(1).padStart(7);
      return `${name(broker)} | ${String(sampling).padStart(8)} | ${f(run.latency)} | ${ms('service')} | ${ms('daprd')} | ${ms('tracing')} | ${(1000 * total(cpu)).toFixed(1).padStart(7)} | ${counted(run)}`;
    };
    for (const r of results)
      if (r.traced) {
        console.log(row(r.broker, 0, r.fixed, r.cpu));
        console.log(row(r.broker, 1, r.traced.fixed, r.traced.cpu));
      }
  }

  const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0)).padStart(7);
  console.log(
    "\npeak resident memory, MiB (VmRSS of each process): over the sweep's steps up to the capacity rate, and over the whole sweep (the step beyond capacity, an overload, included)",
  );
  console.log(`broker    | sweep    | ${SERVICE_NAMES.map((s) => s.padStart(7)).join(' | ')} | sidecar (largest) | broker | database`);
  for (const r of results) {
    for (const [which, rss] of [
      ['capacity', r.rss.atCapacity],
      ['whole', r.rss.sweep],
    ] as const) {
      const largest = (names: string[]) => Math.max(0, ...names.map((n) => rss.get(n) ?? 0));
      const sidecars = largest([...rss.keys()].filter((n) => n.endsWith('-dapr')));
      console.log(
        `${name(r.broker)} | ${which.padEnd(8)} | ${SERVICE_NAMES.map((s) => mib(rss.get(s))).join(' | ')} | ${mib(sidecars).padStart(17)} | ${mib(largest(['kafka', 'rabbitmq'])).padStart(6)} | ${mib(largest(['ferretdb'])).padStart(8)}`,
      );
    }
  }

  console.log('\ndatabase round trips per confirmed order, by service (eventmart_db_commands_total over the fixed-rate orders)');
  console.log(`broker    | ${SERVICE_NAMES.join(' | ')} | total`);
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  for (const r of results)
    console.log(
      `${name(r.broker)} | ${SERVICE_NAMES.map((s) =>
        sum(r.commands.get(s) ?? new Map())
          .toFixed(1)
          .padStart(s.length),
      ).join(' | ')} | ${SERVICE_NAMES.reduce((n, s) => n + sum(r.commands.get(s) ?? new Map()), 0)
        .toFixed(1)
        .padStart(5)}`,
    );
  if (verbose)
    for (const r of results)
      for (const [service, counts] of r.commands)
        for (const [what, n] of [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]))
          console.log(`  ${r.broker} ${service}: ${n.toFixed(2)} ${what}`);

  const steps = (c: Capacity) =>
    c.steps.map((s) => `${s.rate}/s: p99 ${s.latency.p99.toFixed(0)} ms${s.missing.length ? `, ${s.missing.length} not confirmed` : ''}`).join('; ');
  console.log(`\ncapacity, orders/s: the highest rate of the sweep (${options.stepSeconds} s a step) at which every order confirmed with p99 ≤ 1 s`);
  console.log(`broker    |    empty | after ${options.history} prior orders | baseline* | Eventmart / baseline`);
  for (const r of results) {
    const ratio = r.baseline && r.baseline.capacity.rate > 0 ? (r.capacity.rate / r.baseline.capacity.rate).toFixed(2) : '-';
    console.log(
      `${name(r.broker)} | ${String(r.capacity.rate).padStart(8)} | ${String(r.history?.capacity.rate ?? '-').padStart(8 + String(options.history).length)} | ${String(r.baseline?.capacity.rate ?? '-').padStart(9)} | ${ratio}`,
    );
  }
  for (const r of results) {
    console.log(`  ${r.broker} empty: ${steps(r.capacity)}`);
    if (r.history)
      console.log(
        `  ${r.broker} after history (${r.history.seeded.documents} documents seeded in ${r.history.seeded.seconds.toFixed(0)} s): ${steps(r.history.capacity)}`,
      );
    if (r.baseline) console.log(`  ${r.broker} baseline: ${steps(r.baseline.capacity)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
