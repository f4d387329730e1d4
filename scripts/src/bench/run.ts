/**
 * `npm run bench [-- --orders 300 --rate 20 --spread 50 --broker kafka --broker rabbitmq]`: the latency
 * from POST /orders to the order.confirmed push arriving in an SSE client, at a steady rate,
 * on each broker, next to two baselines measured in the same run on the same system: a
 * GET /healthz round trip (HTTP alone) and PUT /products → product.changed on the stream
 * (one service, its outbox relay and one broker hop). Not a test: it prints figures.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Broker } from '../infra';
import { ProcessGroup } from '../processes';
import { startSystem, testPorts, type RunningSystem } from '../system';
import { REPO_ROOT } from '../toolchain';
import { cpuByGroup, processKind } from './cpu';
import { subscribe } from './sse-client';

interface Figures {
  p50: number;
  p99: number;
  n: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

/** After the orders: wait for the stream to be quiet this long (at most the max), then measure a window. */
const IDLE_QUIET_MS = 5_000;
const IDLE_SETTLE_MAX_MS = 120_000;
const IDLE_WINDOW_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function measure(
  system: RunningSystem,
  orders: number,
  rate: number,
  spread: number,
): Promise<{ confirmed: Figures; productHop: Figures; healthz: Figures; missing: number; cpuPerOrder: Map<string, number>; idle: number }> {
  const { urls } = system;
  // Orders go round-robin over `spread` customers and products, as in a shop: one customer's
  // ledger and one product's stock are each a stream that serializes its own writes.
  const customers = Array.from({ length: spread }, (_, i) => `bench-${i}`);
  const skus = Array.from({ length: spread }, (_, i) => `BENCH-${i}`);
  for (const customerId of customers) await send('POST', `${urls.payment}/accounts/${customerId}/deposits`, { amount: 100_000_000 });
  for (const sku of skus) await send('PUT', `${urls.inventory}/products/${sku}`, { name: sku, price: 100, available: 1_000_000 });
  const waiters = new Map<string, (at: number) => void>();
  let lastEventAt = performance.now();
  const stop = subscribe(urls.notification, (event, at) => {
    lastEventAt = performance.now();
    const key = event.type.includes('order.confirmed') ? `confirmed:${event.data.orderId}` : `stock:${event.data.sku}:${event.data.available}`;
    waiters.get(key)?.(at);
  });
  const arrival = (key: string, timeoutMs: number) =>
    new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  try {
    // The broadcast subscription starts at the newest offset: nudge until the stream hears.
    for (let available = 1_000_000; ; available++) {
      const heard = arrival(`stock:BENCH:${available}`, 1_000);
      await send('PUT', `${urls.inventory}/products/BENCH`, { name: 'Bench', price: 100, available });
      if ((await heard) !== undefined) break;
    }
    while ((await send('GET', `${urls.order}/catalog`)).products.length < spread + 1) await sleep(200);

    const healthz: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await send('GET', `${urls.order}/healthz`);
      healthz.push(performance.now() - t0);
    }

    const productHop: number[] = [];
    for (let i = 0; i < 50; i++) {
      const available = 2_000_000 + i;
      const heard = arrival(`stock:BENCH:${available}`, 10_000);
      const t0 = performance.now();
      await send('PUT', `${urls.inventory}/products/BENCH`, { name: 'Bench', price: 100, available });
      const at = await heard;
      if (at !== undefined) productHop.push(at - t0);
    }

    // CPU by process type over the order phase, from /proc, per confirmed order.
    const cpuByKind = () => {
      const byKind = new Map<string, number>();
      for (const [name, seconds] of cpuByGroup(system.group.list())) byKind.set(processKind(name), (byKind.get(processKind(name)) ?? 0) + seconds);
      return byKind;
    };
    const cpuBefore = cpuByKind();

    // Orders at a steady rate, each timed from the moment its POST starts.
    const started = performance.now();
    const pending: Promise<number | undefined>[] = [];
    for (let i = 0; i < orders; i++) {
      const due = started + (i * 1000) / rate;
      await sleep(Math.max(0, due - performance.now()));
      pending.push(
        (async () => {
          const t0 = performance.now();
          const { orderId } = await send('POST', `${urls.order}/orders`, {
            customerId: customers[i % spread],
            items: [{ sku: skus[i % spread], quantity: 1 }],
          });
          const at = await arrival(`confirmed:${orderId}`, 60_000);
          return at === undefined ? undefined : at - t0;
        })(),
      );
    }
    const results = await Promise.all(pending);
    const confirmed = results.filter((r): r is number => r !== undefined);
    const cpuAfter = cpuByKind();
    const cpuPerOrder = new Map([...cpuAfter].map(([kind, seconds]) => [kind, (seconds - (cpuBefore.get(kind) ?? 0)) / Math.max(1, confirmed.length)]));
    // Idle: the whole system's CPU over a quiet while after the orders. Shipments go on after
    // the confirmations: first wait until the page's stream has been silent for a while.
    for (const settleUntil = performance.now() + IDLE_SETTLE_MAX_MS; performance.now() - lastEventAt < IDLE_QUIET_MS && performance.now() < settleUntil;)
      await sleep(500);
    const idleFrom = cpuByKind();
    const idleStarted = performance.now();
    await sleep(IDLE_WINDOW_MS);
    const idleTo = cpuByKind();
    const idleSeconds = [...idleTo].reduce((sum, [kind, seconds]) => sum + seconds - (idleFrom.get(kind) ?? 0), 0);
    const idle = idleSeconds / ((performance.now() - idleStarted) / 1000);
    return {
      confirmed: figures(confirmed),
      productHop: figures(productHop),
      healthz: figures(healthz),
      missing: results.length - confirmed.length,
      cpuPerOrder,
      idle,
    };
  } finally {
    stop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '300' },
      rate: { type: 'string', default: '20' },
      broker: { type: 'string', multiple: true, default: ['kafka', 'rabbitmq'] },
      slot: { type: 'string', default: '3' },
      spread: { type: 'string', default: '50' },
    },
  });
  const orders = Number(values.orders);
  const rate = Number(values.rate);
  if (!(orders > 0 && rate > 0)) throw new Error('--orders and --rate are positive numbers');
  const rows: string[] = [];
  const costRows: string[] = [];
  const KINDS = ['service', 'daprd', 'broker', 'database'];
  for (const broker of values.broker as Broker[]) {
    const runDir = mkdtempSync(join(tmpdir(), 'eventmart-bench-'));
    const logs = join(REPO_ROOT, 'artifacts', 'logs', `bench-${broker}`);
    mkdirSync(logs, { recursive: true });
    const group = new ProcessGroup({ kind: 'files', dir: logs });
    console.log(`${broker}: starting the system …`);
    const system = await startSystem({ broker, runDir, group, ports: testPorts(Number(values.slot)), logLevel: 'warn' });
    try {
      console.log(`${broker}: ${orders} orders at ${rate}/s …`);
      const r = await measure(system, orders, rate, Number(values.spread));
      const f = (x: Figures) => `${x.p50.toFixed(1).padStart(7)} ${x.p99.toFixed(1).padStart(7)}`;
      rows.push(
        `${broker.padEnd(9)} | ${f(r.confirmed)} | ${f(r.productHop)} | ${f(r.healthz)} | ${r.confirmed.n}/${orders}${r.missing ? ` (${r.missing} not confirmed in 60 s)` : ''}`,
      );
      const total = KINDS.reduce((sum, kind) => sum + (r.cpuPerOrder.get(kind) ?? 0), 0);
      costRows.push(
        `${broker.padEnd(9)} | ${KINDS.map((kind) => (1000 * (r.cpuPerOrder.get(kind) ?? 0)).toFixed(1).padStart(8)).join(' | ')} | ${(1000 * total).toFixed(1).padStart(8)} | ${(100 * r.idle).toFixed(1).padStart(5)} %`,
      );
    } finally {
      await system.stop();
      rmSync(runDir, { recursive: true, force: true });
    }
  }
  console.log(
    `\nlatency in ms, median and p99 (${orders} orders at ${rate}/s over ${values.spread} customers and products; baselines measured in the same run)`,
  );
  console.log('broker    | POST /orders → order.confirmed on SSE | PUT /products → product.changed on SSE | GET /healthz round trip | confirmed');
  console.log('          |     p50     p99 |     p50     p99 |     p50     p99 |');
  for (const row of rows) console.log(row);
  console.log(
    `\nCPU per confirmed order, ms, by process type (user + system from /proc, over the order phase); idle: the whole system over ${IDLE_WINDOW_MS / 1000} s after it, % of one core`,
  );
  console.log(`broker    | ${KINDS.map((k) => k.padStart(8)).join(' | ')} |    total |  idle`);
  for (const row of costRows) console.log(row);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
