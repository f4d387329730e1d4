// kube-score on the rendered chart: no critical finding and no warning. The few checks the
// chart switches off are annotated where they apply, each with its reason in a comment next
// to it; this test keeps it that way.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, ROOT, renderChart, run, tempFile, tools } from './tools';

const score = (text: string) =>
  run(tools().kubeScore, [
    'score',
    '--kubernetes-version',
    'v1.34',
    '--enable-optional-test',
    'container-seccomp-profile',
    '--output-format',
    'ci',
    tempFile('chart.yaml', text),
  ]);

describe('kube-score', () => {
  it.each(Object.keys(PROFILES))('finds nothing critical and nothing to warn about with the %s values', (profile) => {
    const result = score(renderChart(PROFILES[profile]));
    const findings = result.stdout.split('\n').filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
    expect(findings).toEqual([]);
    expect(result.stdout).toMatch(/^\[OK\]/m);
    expect(result.status).toBe(0);
  });

  it('reports a container that may run as root as critical', () => {
    const broken = renderChart().replace(/runAsUser: 10001/g, 'runAsUser: 0');
    const result = score(broken);
    expect(result.stdout).toMatch(/^\[CRITICAL\] \w+ apps\/v1\/Deployment: \(\w+\) The container is running with a low user ID/m);
    expect(result.status).toBe(1);
  });

  it('justifies every check the chart switches off in a comment where it does so', () => {
    const dir = join(ROOT, 'charts/eventmart/templates');
    const ignored: string[] = [];
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      const comments = text
        .split('\n')
        .filter((line) => line.trim().startsWith('#'))
        .join('\n');
      for (const match of text.matchAll(/kube-score\/ignore: ([\w,-]+)/g)) {
        for (const check of match[1]!.split(',')) {
          ignored.push(check);
          expect({ file, check, justified: comments.includes(check) || comments.includes('kube-score warns about NodePort') }).toEqual({
            file,
            check,
            justified: true,
          });
        }
      }
    }
    expect(new Set(ignored)).toEqual(new Set(['container-image-pull-policy', 'deployment-replicas', 'service-type']));
  });
});
