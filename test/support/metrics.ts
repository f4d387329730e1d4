import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from '../../scripts/src/http';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';

/**
 * A service's /metrics as numbers: the sum of the samples of `name` whose labels include
 * `labels` (0 when none has counted yet), or NaN when the service has no such metric at all.
 */
export type Metrics = (name: string, labels?: Record<string, string>) => number;

export async function scrape(url: string): Promise<Metrics> {
  const { text } = await request('GET', `${url}/metrics`);
  const samples = [...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/gm)].map(([, name, labels = '', value]) => ({
    name: name!,
    labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, v]) => [key!, v!])),
    value: Number(value),
  }));
  return (name, labels = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** The Grafana dashboard in the repository (k8s/grafana/). */
export const DASHBOARD = join(REPO_ROOT, 'k8s/grafana/eventmart-dashboard.json');

/** Every eventmart_* series the dashboard's queries read, as /metrics names them. */
export function dashboardMetrics(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
  return [...new Set(exprs.flatMap((expr) => expr.match(/\beventmart_[a-z_]+/g) ?? []))];
}
