import { request } from '../http';

/** Each service's database round trips so far, from its /metrics (eventmart_db_commands_total), by "command collection". */
export async function dbCommands(urls: Record<string, string>): Promise<Map<string, Map<string, number>>> {
  const byService = new Map<string, Map<string, number>>();
  for (const [service, url] of Object.entries(urls)) {
    const counts = new Map<string, number>();
    const { text } = await request('GET', `${url}/metrics`);
    for (const match of text.matchAll(/^eventmart_db_commands_total\{([^}]*)\} (\d+)/gm)) {
      const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(match[1]!)?.[1] ?? '';
      counts.set(`${label('command')} ${label('collection')}`.trim(), Number(match[2]));
    }
    byService.set(service, counts);
  }
  return byService;
}

/** The difference between two readings of dbCommands, per order. */
export function perOrder(before: Map<string, Map<string, number>>, after: Map<string, Map<string, number>>, orders: number): Map<string, Map<string, number>> {
  const result = new Map<string, Map<string, number>>();
  for (const [service, counts] of after) {
    const was = before.get(service) ?? new Map<string, number>();
    result.set(service, new Map([...counts].map(([key, n]) => [key, (n - (was.get(key) ?? 0)) / Math.max(1, orders)])));
  }
  return result;
}
