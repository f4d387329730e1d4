// The real database alone (FerretDB on PostgreSQL, as `npm start` runs it), for the tests of a
// store: no broker, no sidecar.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startDatabase } from '../../scripts/src/runner/infra';
import { testPorts } from '../../scripts/src/runner/ports';
import { ProcessGroup } from '../../scripts/src/runner/processes';
import { locateToolchain, REPO_ROOT } from '../../scripts/src/runner/toolchain';

/**
 * Starts the database before the tests of the enclosing describe and stops it after; the
 * client is there once they run. `name` names its log folder (artifacts/logs/<name>).
 */
export function useDatabase(name: string): () => MongoClient {
  const logs = join(REPO_ROOT, 'artifacts', 'logs', name);
  const group = new ProcessGroup({ kind: 'files', dir: logs });
  const dir = mkdtempSync(join(process.env.EVENTMART_TEST_DIR ?? tmpdir(), 'eventmart-'));
  let client: MongoClient | undefined;

  beforeAll(async () => {
    mkdirSync(logs, { recursive: true });
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its directory below
    const slot = Number(process.env.EVENTMART_TEST_SLOT ?? Number(process.env.JEST_WORKER_ID ?? '1') - 1);
    const url = await startDatabase(group, locateToolchain(), join(dir, 'db'), testPorts(slot));
    client = await new MongoClient(url).connect();
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await group.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!client) throw new Error('the database is not started yet: use the client inside a test');
    return client;
  };
}
