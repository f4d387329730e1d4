import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The pinned versions, read from the one file the install scripts use too. */
function readVersions(): Record<string, string> {
  const text = readFileSync(join(REPO_ROOT, 'scripts/toolchain/versions.sh'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

export interface Toolchain {
  daprd: string;
  ferretdb: string;
  jaeger: string;
  kafkaLibs: string;
  postgresBin: string;
  rabbitmqBin: string;
}

/** Where the installed parts are; throws with the command to run when one is missing. */
export function locateToolchain(): Toolchain {
  const v = readVersions();
  const cache = process.env.EVENTMART_CACHE ?? join(homedir(), '.cache', 'eventmart');
  const pg = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().at(-1) : undefined;
  const tools: Toolchain = {
    daprd: join(cache, `daprd-${v.DAPR_VERSION}`, 'daprd'),
    ferretdb: join(cache, `ferretdb-${v.FERRETDB_VERSION}`, 'ferretdb'),
    jaeger: join(cache, `jaeger-${v.JAEGER_VERSION}`, 'jaeger'),
    kafkaLibs: join(cache, `kafka-${v.KAFKA_VERSION}`, 'libs'),
    postgresBin: pg ? `/usr/lib/postgresql/${pg}/bin` : '/usr/lib/postgresql/missing/bin',
    rabbitmqBin: '/usr/lib/rabbitmq/bin',
  };
  const missing = Object.entries(tools).filter(([, path]) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.map(([name]) => name).join(', ')}: run \`npm run setup\` first`);
  }
  return tools;
}
