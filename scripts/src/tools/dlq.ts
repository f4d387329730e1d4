/**
 * `npm run dlq`: the dead letters of every service, and replaying them.
 *
 *   npm run dlq                                   list every service's dead letters
 *   npm run dlq -- list inventory                 one service's
 *   npm run dlq -- replay inventory <id>          run one through its handler again
 *   npm run dlq -- replay inventory <id> --data '{"orderId":"…",…}'   … with corrected data
 *
 * A dead letter is an event a service dropped (invalid, or poisoned, or failing after all
 * retries); Dapr moved it to the service's `deadletter-<app>` topic and the service keeps
 * it. Services are found at the `npm start` ports; `--url inventory=http://host:port` points elsewhere.
 * Every call carries the admin token: `--token`, else $EVENTMART_ADMIN_TOKEN, else the one
 * `npm start` keeps in its data folder (/var/tmp/eventmart/dev/admin-token).
 */
import { parseArgs } from 'node:util';
import { call } from '../http';
import { SERVICE_NAMES, SERVICE_PORTS, type ServiceName } from '../runner/ports';
import { adminTokenFile, defaultDataDir, readAdminToken } from '../runner/system';

interface DeadLetter {
  id: string;
  type: string;
  topic?: string;
  data: unknown;
  receivedAt: string;
  replayedAt?: string;
  replayedData?: unknown;
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string', multiple: true, default: [] }, data: { type: 'string' }, token: { type: 'string' } },
  });
  const token = values.token ?? process.env.EVENTMART_ADMIN_TOKEN ?? readAdminToken(defaultDataDir());
  if (!token) throw new Error(`no admin token: pass --token, set EVENTMART_ADMIN_TOKEN, or run npm start (it writes ${adminTokenFile(defaultDataDir())})`);
  const admin = { headers: { authorization: `Bearer ${token}` } };
  const urls = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${SERVICE_PORTS[s]}`])) as Record<ServiceName, string>;
  for (const pair of values.url) {
    const [name, url] = pair.split('=', 2) as [ServiceName, string | undefined];
    if (!SERVICE_NAMES.includes(name) || !url) throw new Error(`--url ${pair}: expected <service>=<url>`);
    urls[name] = url;
  }
  const [command = 'list', service, id] = positionals;
  const pick = (name: string | undefined): ServiceName[] => {
    if (name === undefined) return SERVICE_NAMES;
    if (!SERVICE_NAMES.includes(name as ServiceName)) throw new Error(`unknown service ${name}: one of ${SERVICE_NAMES.join(', ')}`);
    return [name as ServiceName];
  };

  if (command === 'list') {
    let count = 0;
    for (const name of pick(service)) {
      // Page after page: a service may hold more than one page of letters.
      let after: string | undefined;
      do {
        const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
        const { status, body } = await call('GET', `${urls[name]}/deadletters${query}`, undefined, admin);
        if (status !== 200) throw new Error(`${name}: GET /deadletters answered ${status}`);
        for (const letter of body.deadLetters as DeadLetter[]) {
          count++;
          const state = letter.replayedAt ? `replayed ${letter.replayedAt}${letter.replayedData === undefined ? '' : ' (corrected)'}` : 'waiting';
          out(`${name}\t${letter.id}\t${letter.type}\t${letter.receivedAt}\t${state}\t${JSON.stringify(letter.data)}`);
        }
        after = body.next;
      } while (after !== undefined);
    }
    out(`${count} dead letter(s)`);
    return 0;
  }
  if (command === 'replay') {
    if (!service || !id) throw new Error('usage: dlq replay <service> <id> [--data <json>]');
    const [name] = pick(service);
    const data = values.data === undefined ? undefined : JSON.parse(values.data);
    const { status, body } = await call('POST', `${urls[name!]}/deadletters/${encodeURIComponent(id)}/replay`, data === undefined ? {} : { data }, admin);
    if (status !== 200) {
      out(`replay of ${id} on ${name} failed (${status}): ${body?.error?.message ?? 'no details'}`);
      return 1;
    }
    out(`replayed ${id} on ${name}: ${body.status}`);
    return 0;
  }
  throw new Error(`unknown command ${command}: list or replay`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`dlq: ${(err as Error).message}`);
      process.exit(2);
    },
  );
}
