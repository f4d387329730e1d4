/**
 * The Grafana dashboard (k8s/grafana/eventmart-dashboard.json) is a dashboard Grafana can
 * import: panels with unique ids on the 24-column grid, each reading Prometheus through the
 * dashboard's datasource variable, with at least one query of Eventmart's metrics. That each
 * of those metrics is served is checked against the running services (test/integration/observability.test.ts).
 */
import { readFileSync } from 'node:fs';
import { DASHBOARD, dashboardMetrics } from '../support/metrics';

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));

describe('the Grafana dashboard', () => {
  it('lays its panels out on the grid with unique ids, each with a query and a title', () => {
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.title).toEqual(expect.any(String));
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(target.expr).toMatch(/\beventmart_/);
      }
    }
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
  });

  it('reads only metrics the README documents', () => {
    const readme = readFileSync(`${__dirname}/../../README.md`, 'utf8');
    for (const name of dashboardMetrics())
      expect({ name, documented: readme.includes(`\`${name.replace(/_(bucket|sum|count)$/, '')}`) }).toEqual({ name, documented: true });
  });
});
