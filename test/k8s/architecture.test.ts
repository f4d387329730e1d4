// docs/architecture.md, the page a newcomer reads first: its tables are the catalog's and the
// runner's, and every file it points at exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../../services/shared/src/events/catalog';
import { SERVICE_PORTS } from '../../scripts/src/runner/ports';
import { ROOT } from './tools';

const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

/** The rows of the markdown table whose header starts with `first`, as cells. */
function table(first: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(line));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('docs/architecture.md', () => {
  it("lists every event with the catalog's topic, producer and consumers", () => {
    const rows = table('event').map(([name, topic, producer, consumers]) => ({ name: name!.replace(/`/g, ''), topic, producer, consumers }));
    const expected = Object.entries(catalog).map(([name, e]) => ({ name, topic: e.topic, producer: e.producer, consumers: e.consumers.join(', ') }));
    expect(rows).toEqual(expected);
  });

  it("lists every service with the runner's port and the topics of the events it produces", () => {
    const rows = table('service').map(([name, port, , publishes]) => ({ name, port: Number(port), publishes }));
    const topicsOf = (service: string) =>
      [
        ...new Set(
          Object.values(catalog)
            .filter((e) => e.producer === service)
            .map((e) => e.topic),
        ),
      ].sort();
    expect(rows).toEqual(Object.entries(SERVICE_PORTS).map(([name, port]) => ({ name, port, publishes: topicsOf(name).join(', ') || 'nothing' })));
  });

  it('names only files and folders that exist', () => {
    const paths = [...doc.matchAll(/`((?:services|scripts|components|charts|test|docs|k8s)\/[\w./-]*|package\.json|skaffold\.yaml)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(join(ROOT, path.replace(/<[^>]+>/g, ''))))).toEqual([]);
  });
});
