/**
 * `npm run dlq`: the dead letters of every service, and replaying them.
 *
 *   npm run dlq                                   list every service's dead letters, newest first
 *   npm run dlq -- list inventory --waiting       one service's, only those waiting (--replayed: only those replayed)
 *   npm run dlq -- replay inventory <id>          run one through its handler again
 *   npm run dlq -- replay inventory <id> --data '{"orderId":"…",…}'   … with corrected data
 *   npm run dlq -- replay inventory --all         re-drive every waiting letter as received (after fixing the cause)
 *
 * A dead letter is an event a service dropped (invalid, or poisoned, or failing after all
 * retries); Dapr moved it to the service's `deadletter-<app>` topic and the service keeps
 * it. Each replay is recorded with who made it: `--by`, else <user>@<host>. Services are found
 * at the `npm start` ports; `--url inventory=http://host:port` points elsewhere.
 * Every call carries the admin token: `--token`, else $EVENTMART_ADMIN_TOKEN, else the one
 * `npm start` keeps in its data folder (/var/tmp/eventmart/dev/admin-token).
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { BULK_REPLAY_MAX } from '@eventmart/shared/dead-letter-store';
import { call, send } from '../http';
import { SERVICE_NAMES, SERVICE_PORTS, type ServiceName } from '../runner/ports';
import { adminTokenFile, defaultDataDir, readAdminToken } from '../runner/system';

export interface DeadLetter {
  id: string;
  type: string;
  topic?: string;
  data: unknown;
  receivedAt: string;
  replayedAt?: string;
  replayedBy?: string;
  replayedData?: unknown;
}

/** Every dead letter of the service at `url` (or those in `state`), newest first, page after page (bounded: 10 000 pages). */
export async function allDeadLetters(url: string, adminToken: string, state?: 'waiting' | 'replayed'): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  let after: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages === 10_000) throw new Error(`${url}: more than 10 000 pages of dead letters; list them a page at a time`);
    const query = new URLSearchParams({ ...(after === undefined ? {} : { after }), ...(state === undefined ? {} : { state }) });
    const page = await send('GET', `${url}/deadletters?${query}`, undefined, { headers: { authorization: `Bearer ${adminToken}` } });
    letters.push(...(page.deadLetters as DeadLetter[]));
    after = page.next;
    if (after === undefined) return letters;
  }
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', multiple: true, default: [] },
      data: { type: 'string' },
      token: { type: 'string' },
      by: { type: 'string' },
      all: { type: 'boolean', default: false },
      waiting: { type: 'boolean', default: false },
      replayed: { type: 'boolean', default: false },
    },
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

  // Who replays: --by, else the user here (a user with no passwd entry, as in some containers, is $USER or the host).
  const by = () => {
    if (values.by !== undefined) return values.by;
    try {
      return `${userInfo().username}@${hostname()}`;
    } catch {
      return `${process.env.USER ?? 'someone'}@${hostname()}`;
    }
  };

  if (command === 'list') {
    if (values.waiting && values.replayed) throw new Error('--waiting or --replayed, not both');
    const state = values.waiting ? 'waiting' : values.replayed ? 'replayed' : undefined;
    let count = 0;
    for (const name of pick(service)) {
      for (const letter of await allDeadLetters(urls[name], token, state)) {
        count++;
        const replayed =
          letter.replayedAt && `replayed ${letter.replayedAt} by ${letter.replayedBy ?? '?'}${letter.replayedData === undefined ? '' : ' (corrected)'}`;
        out(`${name}\t${letter.id}\t${letter.type}\t${letter.receivedAt}\t${replayed || 'waiting'}\t${JSON.stringify(letter.data)}`);
      }
    }
    out(`${count} dead letter(s)`);
    return 0;
  }
  if (command === 'replay' && values.all) {
    if (!service || id) throw new Error('usage: dlq replay <service> --all');
    const [name] = pick(service);
    // Oldest first, as they arrived, in batches the service takes at once.
    const ids = (await allDeadLetters(urls[name!], token, 'waiting')).map((letter) => letter.id).reverse();
    let failed = 0;
    for (let at = 0; at < ids.length; at += BULK_REPLAY_MAX) {
      // A hundred replays one after another may take a while: minutes, not the usual seconds.
      const batch = { ids: ids.slice(at, at + BULK_REPLAY_MAX), by: by() };
      const { status, body } = await call('POST', `${urls[name!]}/deadletters/replay`, batch, { ...admin, timeoutMs: 10 * 60_000 });
      if (status !== 200) throw new Error(`${name}: POST /deadletters/replay answered ${status}: ${body?.error?.message ?? 'no details'}`);
      for (const outcome of body.results as { id: string; status: string; error?: { code: string; message: string } }[]) {
        if (outcome.status !== 'SUCCESS') failed++;
        out(`${outcome.id}\t${outcome.status}${outcome.error ? `\t${outcome.error.code}: ${outcome.error.message}` : ''}`);
      }
    }
    out(`replayed ${ids.length - failed} of ${ids.length} waiting letter(s) on ${name}`);
    return failed === 0 ? 0 : 1;
  }
  if (command === 'replay') {
    if (!service || !id) throw new Error('usage: dlq replay <service> <id> [--data <json>] | dlq replay <service> --all');
    const [name] = pick(service);
    const data = values.data === undefined ? undefined : JSON.parse(values.data);
    const { status, body } = await call(
      'POST',
      `${urls[name!]}/deadletters/${encodeURIComponent(id)}/replay`,
      { by: by(), ...(data === undefined ? {} : { data }) },
      admin,
    );
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
