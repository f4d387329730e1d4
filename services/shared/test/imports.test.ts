// A module loads only what it uses: a store (state in the database) must not pull in the web
// framework, the Dapr SDK or the service shell through the shared package. Each store module
// is loaded, as built, in a fresh node, and the files it loaded are listed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const FORBIDDEN = ['koa', '@koa', '@dapr', 'prom-client'];

/** The files node loads to require `module`, relative to the repository. */
function loadedBy(module: string): string[] {
  const script = `require(${JSON.stringify(module)}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((file) => relative(ROOT, file));
}

const SERVICES = ['order', 'payment', 'inventory', 'shipping', 'notification'];
const storeDir = (service: string) => join('services', service, 'dist', 'store');
const packagesIn = (files: string[]) => [...new Set(files.flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? []))];
const forbidden = (packages: string[]) => packages.filter((name) => FORBIDDEN.some((f) => name === f || name.startsWith(`${f}/`)));

const stores = [
  ...SERVICES.filter((service) => existsSync(join(ROOT, storeDir(service)))).flatMap((service) =>
    readdirSync(join(ROOT, storeDir(service)))
      .filter((file) => file.endsWith('.js'))
      .map((file) => join(storeDir(service), file)),
  ),
  'services/shared/dist/event-stream.js',
  'services/shared/dist/mongo.js',
  'services/shared/dist/dead-letter-store.js',
].sort();

describe('imports', () => {
  test('there are store modules to check (built by npm run build)', () => {
    expect(stores.filter((store) => store.includes('/dist/store/')).length).toBeGreaterThanOrEqual(5);
  });

  test.each(stores)('%s loads no web framework, Dapr SDK or metrics', (store) => {
    const loaded = loadedBy(join(ROOT, store));
    expect(loaded).toContain(store); // the check saw the module itself
    expect(packagesIn(loaded)).toContain('mongodb'); // it sees packages, so it would see Koa
    expect(forbidden(packagesIn(loaded))).toEqual([]);
  });

  test('the service shell loads them (the check can see them)', () => {
    expect(forbidden(packagesIn(loadedBy(join(ROOT, 'services/shared/dist/service.js'))))).toEqual(
      expect.arrayContaining(['@koa/router', '@dapr/dapr', 'prom-client']),
    );
  });
});
