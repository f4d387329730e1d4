// Strict schema validation with real validators: kubeconform against the Kubernetes schemas
// of the pinned kind node and the Dapr and KEDA CRD schemas; the kind config decoded the way
// kind decodes it; skaffold.yaml against skaffold's JSON Schema. Each check is also shown to
// fail on a broken field, so none of them can pass by checking nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, ROOT, kubeconform, parseManifests, renderChart, run, tempFile, tools } from './tools';

interface KubeconformReport {
  resources: { filename: string; kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

const report = (paths: string[]) => {
  const result = kubeconform(paths);
  return { status: result.status, report: JSON.parse(result.stdout) as KubeconformReport };
};

/** Every YAML file below a folder of the repository. */
const yamlFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));

const KIND_CONFIG = 'k8s/kind-config.yaml';

describe('kubeconform -strict', () => {
  it.each(Object.keys(PROFILES))('accepts every manifest the chart renders with the %s values', (profile) => {
    const text = renderChart(PROFILES[profile]);
    const count = parseManifests(text).length;
    const { status, report: r } = report([tempFile(`${profile}.yaml`, text)]);
    expect(r.resources).toEqual([]);
    expect(r.summary).toEqual({ valid: count, invalid: 0, errors: 0, skipped: 0 });
    expect(status).toBe(0);
  });

  it('accepts every file in components/ and k8s/ (the kind config is checked below)', () => {
    const files = [...yamlFiles('components'), ...yamlFiles('k8s').filter((f) => f !== KIND_CONFIG)];
    const count = files.reduce((n, f) => n + parseManifests(readFileSync(join(ROOT, f), 'utf8')).length, 0);
    const { status, report: r } = report(files);
    expect(r.resources).toEqual([]);
    expect(r.summary).toEqual({ valid: count, invalid: 0, errors: 0, skipped: 0 });
    expect(status).toBe(0);
    // Both brokers' components, configurations and resiliency, and every StatefulSet.
    expect(count).toBeGreaterThanOrEqual(6 + 8);
  });

  it.each([
    ['a misspelt field in a Deployment', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesytem: true', /additional properties 'readOnlyRootFilesytem' not allowed/],
    ['a string where a port number goes', 'containerPort: 3001', 'containerPort: "3001"', /got string, want (null or )?integer/],
  ])('rejects %s', (_what, from, to, message) => {
    const broken = renderChart().replace(from, to);
    const { status, report: r } = report([tempFile('broken.yaml', broken)]);
    expect(status).toBe(1);
    expect(r.summary.invalid).toBe(1);
    expect(r.resources[0]!.msg).toMatch(message);
  });

  it.each([
    ['a misspelt field in the pub/sub Component', 'components/kafka/pubsub.yaml', 'initTimeout:', 'initTimout:', /additional properties 'initTimout' not allowed/],
    ['a misspelt field in the Resiliency', 'components/rabbitmq/resiliency.yaml', 'maxRetries: 20', 'maxRetry: 20', /additional properties 'maxRetry' not allowed/],
    ['a number where the Configuration wants a string', 'components/kafka/configuration.yaml', 'samplingRate: "1"', 'samplingRate: 1', /want string/],
    ['a misspelt metadata field of a CRD object', 'components/kafka/pubsub.yaml', '  name: pubsub', '  nmae: pubsub', /additional properties 'nmae' not allowed/],
    ['a misspelt field in a StatefulSet', 'k8s/mongodb/mongodb.yaml', 'serviceName: mongodb', 'serviceNme: mongodb', /additional properties 'serviceNme' not allowed/],
  ])('rejects %s', (_what, file, from, to, message) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text).toContain(from);
    const { status, report: r } = report([tempFile('broken.yaml', text.replace(from, to))]);
    expect(status).toBe(1);
    expect(r.resources.map((x) => x.msg).join('\n')).toMatch(message);
  });

  it('rejects a kind it has no schema for instead of skipping it', () => {
    const { status, report: r } = report([tempFile('unknown.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n')]);
    expect(status).toBe(1);
    expect(r.summary.errors).toBe(1);
  });
});

describe('the kind config', () => {
  const decode = (path: string) => run(tools().k8scheck, ['kind-config', path]);

  it('decodes strictly into kind v1alpha4 Cluster', () => {
    const result = decode(join(ROOT, KIND_CONFIG));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'Cluster', name: 'eventmart' });
  });

  it('fails on a misspelt field', () => {
    const text = readFileSync(join(ROOT, KIND_CONFIG), 'utf8');
    const result = decode(tempFile('kind.yaml', text.replace('hostPort: 8080', 'hostPrt: 8080')));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown field "hostPrt"');
  });
});

describe('skaffold.yaml', () => {
  const validate = (path: string) => run(tools().k8scheck, ['jsonschema', tools().skaffoldSchema, path]);

  it('validates against the JSON Schema of its apiVersion', () => {
    const apiVersions = parseManifests(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')).map((d) => d.apiVersion);
    expect(new Set(apiVersions)).toEqual(new Set([`skaffold/${tools().skaffoldSchema.replace(/^.*\/(v\w+)\.json$/, '$1')}`]));
    const result = validate(join(ROOT, 'skaffold.yaml'));
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('2 documents valid');
    expect(result.status).toBe(0);
  });

  it('fails on a misspelt field', () => {
    const text = readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8');
    const result = validate(tempFile('skaffold.yaml', text.replace('remoteChart:', 'remoteChrt:')));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("additional properties 'remoteChrt' not allowed");
  });
});

describe('the Dockerfiles', () => {
  const files = ['order', 'payment', 'inventory', 'shipping', 'notification'].map((s) => join(ROOT, `services/${s}/Dockerfile`));
  const check = (paths: string[]) => run(tools().k8scheck, ['dockerfile', ...paths]);

  it("parse with BuildKit's parser and pass its linter", () => {
    const result = check(files);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('5 Dockerfiles parse cleanly');
    expect(result.status).toBe(0);
  });

  it.each([
    ['an unknown flag', 'COPY --from=prod-deps /app/node_modules', 'COPY --form=prod-deps /app/node_modules', /unknown flag: --form/],
    ['a lint warning', 'AS prod-deps', 'as prod-deps', /FromAsCasing/],
  ])('fail on %s', (_what, from, to, message) => {
    const text = readFileSync(files[0]!, 'utf8');
    expect(text).toContain(from);
    const result = check([tempFile('Dockerfile', text.replace(from, to))]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
