/**
 * `npm run explain [-- --commits 20000]`: the plan PostgreSQL picks for each query of the
 * steady-state path, as FerretDB runs it, and its time, with the GIN twins of
 * k8s/ferretdb/gin-indexes.sql and (same data, same run) without them. Starts its own
 * PostgreSQL and FerretDB on test ports, fills an event-stream collection through the
 * services' own store code, and prints one row per query. Not a test: it prints figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MongoClient, type Db, type Document } from 'mongodb';
import { createDeadLetterStore } from '@eventmart/shared/dead-letter-store';
import { createEventStreamStore } from '@eventmart/shared/event-stream';
import { startDatabase } from '../runner/infra';
import { testPorts } from '../runner/ports';
import { ProcessGroup } from '../runner/processes';
import { locateToolchain } from '../runner/toolchain';

interface Query {
  what: string;
  collection: string;
  filter: Document;
  sort?: Document;
  limit?: number;
}

/** The plan's access path: the scan node and the index it uses, if any. */
function accessPath(plan: Document): string {
  const nodes: Document[] = [];
  const walk = (node: Document) => {
    nodes.push(node);
    for (const child of (node.Plans as Document[] | undefined) ?? []) walk(child);
  };
  walk(plan);
  const scan = nodes.find((n) => String(n['Node Type']).includes('Scan') && n['Node Type'] !== 'Bitmap Heap Scan') ?? nodes.at(-1)!;
  return `${scan['Node Type']}${scan['Index Name'] ? ` on ${String(scan['Index Name'])}` : ''}`;
}

async function measure(db: Db, query: Query): Promise<{ path: string; ms: number; docs: number }> {
  const { collection, filter, sort = {}, limit = 0 } = query;
  const explained = await db.command({ explain: { find: collection, filter, sort, limit } });
  const times: number[] = [];
  let docs = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    docs = (await db.collection(collection).find(filter).sort(sort).limit(limit).toArray()).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { path: accessPath(explained.queryPlanner.Plan as Document), ms: times[10]!, docs };
}

async function main() {
  const { values } = parseArgs({ options: { commits: { type: 'string', default: '20000' }, slot: { type: 'string', default: '4' } } });
  const total = Number(values.commits);
  if (!(total >= 100)) throw new Error('--commits: at least 100');
  const tools = locateToolchain();
  const ports = testPorts(Number(values.slot));
  const dir = mkdtempSync(join(tmpdir(), 'eventmart-explain-'));
  const group = new ProcessGroup({ kind: 'files', dir });
  const client = new MongoClient(await startDatabase(group, tools, dir, ports));
  try {
    const db = client.db('explain');
    // The same collections and indexes the services make, through their own code.
    const streams = await createEventStreamStore<{ n: number }>(db, 'stream_events');
    const letters = await createDeadLetterStore(db);
    console.log(`filling stream_events with ${total} commits over ${total / 100} streams …`);
    const streamCount = total / 100;
    for (let i = 0; i < total; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, async (_, j) => {
          const n = i + j;
          const stream = `s${n % streamCount}`;
          const seq = Math.floor(n / streamCount);
          await streams.append(stream, seq, [{ n }], { outbox: n % 1000 === 0, ...(n % 2000 === 0 ? { due: Date.now() + 60_000 } : {}) });
        }),
      );
    }
    for (let n = 0; n < 1000; n++) await letters.record({ id: `letter-${n}`, type: 'com.eventmart.order.placed', data: {} });
    // Order's read model and catalog replica, with the indexes their stores make
    // (services/order/src/store/order-views.ts, catalog-store.ts): as many documents as commits,
    // a view per version of orders in flight, a catalog version per stock change.
    const views = db.collection('order_views');
    await views.createIndex({ orderId: 1 });
    await views.createIndex({ customerId: 1, placedAt: -1 });
    const catalog = db.collection('catalog_versions');
    await catalog.createIndex({ sku: 1, version: -1 });
    for (let i = 0; i < total; i += 500) {
      const n = Array.from({ length: 500 }, (_, j) => i + j);
      await views.insertMany(
        n.map((k) => ({
          _id: `o${Math.floor(k / 3)}:${(k % 3) + 1}` as never,
          orderId: `o${Math.floor(k / 3)}`,
          customerId: `c${k % 50}`,
          placedAt: new Date(1_700_000_000_000 + Math.floor(k / 3) * 1000).toISOString(),
          version: (k % 3) + 1,
        })),
      );
      await catalog.insertMany(
        n.map((k) => ({ _id: `sku${k % 1000}:${Math.floor(k / 1000)}` as never, sku: `sku${k % 1000}`, version: Math.floor(k / 1000) })),
      );
    }
    await db.collection('stream_events').updateMany({ published: false, stream: { $ne: 's0' } }, { $set: { published: true } });

    const queries: Query[] = [
      { what: 'a stream, whole (cold fold, GET of a history)', collection: 'stream_events', filter: { stream: 's7' } },
      { what: 'the next commit of a stream, by id (fold catching up)', collection: 'stream_events', filter: { _id: `s7:${total / streamCount + 1}` } },
      { what: 'unpublished commits (outbox relay)', collection: 'stream_events', filter: { published: false } },
      { what: 'timers due (shipping courier)', collection: 'stream_events', filter: { timer: true, due: { $lte: Date.now() } } },
      { what: 'one dead letter by event id (replay)', collection: 'deadletters', filter: { id: 'letter-500' } },
      { what: "an order's view versions (GET /orders/:id)", collection: 'order_views', filter: { orderId: 'o7' } },
      { what: "a sku's catalog versions (POST /orders prices from the newest)", collection: 'catalog_versions', filter: { sku: 'sku7' } },
      {
        what: "a customer's orders, newest first (GET /orders?customerId=, the page's list: its first read, limit 100 × 8)",
        collection: 'order_views',
        filter: { customerId: 'c7' },
        sort: { placedAt: -1, orderId: -1, version: -1 },
        limit: 800,
      },
    ];
    const measureAll = async () => {
      const rows = [];
      for (const query of queries) rows.push(await measure(db, query));
      return rows;
    };
    const withTwins = await measureAll();
    // The same data and queries without the twins: what FerretDB does on its own.
    const psql = (sql: string) =>
      execFileSync(
        join(tools.postgresBin, 'psql'),
        ['-h', '127.0.0.1', '-p', String(ports.postgres), '-U', 'postgres', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql],
        { encoding: 'utf8' },
      );
    psql('DROP EVENT TRIGGER eventmart_gin_twins');
    for (const name of psql(`SELECT schemaname || '."' || indexname || '"' FROM pg_indexes WHERE schemaname = 'explain' AND indexname LIKE '%_gin'`)
      .split('\n')
      .filter(Boolean)) {
      psql(`DROP INDEX ${name}`);
    }
    const without = await measureAll();

    console.log(
      `\nFerretDB ${execFileSync(tools.ferretdb, ['--version'], { encoding: 'utf8' }).match(/version:\s*(\S+)/)?.[1] ?? ''} on PostgreSQL, ${total} commits in the collection; median of 21 runs`,
    );
    console.log('query | rows | with the GIN twins | ms | FerretDB alone | ms');
    console.log('--- | --- | --- | --- | --- | ---');
    queries.forEach((query, i) => {
      const a = withTwins[i]!;
      const b = without[i]!;
      console.log(
        `${query.what}: \`${JSON.stringify(query.filter)}${query.sort ? ` sort ${JSON.stringify(query.sort)} limit ${query.limit}` : ''}\` | ${a.docs} | ${a.path} | ${a.ms.toFixed(1)} | ${b.path} | ${b.ms.toFixed(1)}`,
      );
    });
  } finally {
    await client.close();
    await group.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`explain failed: ${(err as Error).message}`);
  process.exit(1);
});
