// Strict schema validation with real validators: kubeconform against the Kubernetes schemas
// of the pinned kind node and the Dapr and KEDA CRD schemas; the kind config decoded the way
// kind decodes it; skaffold.yaml against skaffold's JSON Schema. Each check is also shown to
// fail on a broken field, so none of them can pass by checking nothing.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKERS } from './contract';
import {
  PLATFORM_VARIANTS,
  PROFILES,
  ROOT,
  imagesOf,
  kubeconform,
  kubectls,
  kustomize,
  parseManifests,
  platformDir,
  renderChart,
  run,
  tempFile,
  tools,
} from './tools';

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
/** kustomize's own files: not Kubernetes objects, checked by rendering them (below). */
const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$/.test(f);

/** Files a kustomization turns into a ConfigMap: a program's config, not a Kubernetes object. */
const CONFIG_FILES = ['k8s/jaeger/config.yaml'];

/** Every broker × image variant of the platform, e.g. ['kafka', 'local']. */
const PLATFORMS = BROKERS.flatMap((broker) => PLATFORM_VARIANTS.map((variant) => [broker, variant] as [string, string]));

/** The images of a rendered variant that break its rule: local ones only, or no local one. */
const wrongImages = (variant: string, text: string) =>
  imagesOf(parseManifests(text)).filter((image) => image.startsWith('eventmart.local/') !== (variant === 'local'));

describe('kubeconform -strict', () => {
  it.each(Object.keys(PROFILES))('accepts every manifest the chart renders with the %s values', (profile) => {
    const text = renderChart(PROFILES[profile]);
    const count = parseManifests(text).length;
    const { status, report: r } = report([tempFile(`${profile}.yaml`, text)]);
    expect(r.resources).toEqual([]);
    expect(r.summary).toEqual({ valid: count, invalid: 0, errors: 0, skipped: 0 });
    expect(status).toBe(0);
  });

  it('accepts every manifest in components/ and k8s/ (the kind config and the kustomizations are checked below)', () => {
    const all = [...yamlFiles('components'), ...yamlFiles('k8s')];
    const files = all.filter((f) => f !== KIND_CONFIG && !isKustomization(f) && !CONFIG_FILES.includes(f));
    // Only kustomize's files and their ConfigMap inputs are left out: one kustomization per platform part and one per platform variant.
    expect(all.filter(isKustomization)).toHaveLength(5 + PLATFORMS.length);
    expect(files).toEqual(
      expect.arrayContaining(['k8s/ferretdb/ferretdb.yaml', 'k8s/mongodb/mongodb.yaml', 'k8s/kafka/kafka.yaml', 'k8s/rabbitmq/rabbitmq.yaml']),
    );
    const count = files.reduce((n, f) => n + parseManifests(readFileSync(join(ROOT, f), 'utf8')).length, 0);
    const { status, report: r } = report(files);
    expect(r.resources).toEqual([]);
    expect(r.summary).toEqual({ valid: count, invalid: 0, errors: 0, skipped: 0 });
    expect(status).toBe(0);
    // Both brokers' components, configurations and resiliency, and every StatefulSet and Service.
    expect(count).toBeGreaterThanOrEqual(8 + 8);
  });

  it.each(PLATFORMS)('accepts every manifest of the platform k8s/platform/%s/%s as kustomize renders it', (broker, variant) => {
    const text = kustomize(platformDir(broker, variant));
    const manifests = parseManifests(text);
    // The broker and the database, each a StatefulSet behind its Service.
    expect(
      manifests
        .filter((m) => m.kind === 'StatefulSet')
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual([broker, 'mongodb'].sort());
    const { status, report: r } = report([tempFile(`${broker}-${variant}.yaml`, text)]);
    expect(r.resources).toEqual([]);
    expect(r.summary).toEqual({ valid: manifests.length, invalid: 0, errors: 0, skipped: 0 });
    expect(status).toBe(0);
  });

  it('rejects a misspelt field in the rendered platform', () => {
    const text = kustomize(platformDir('kafka', 'local'));
    expect(text).toContain('serviceName: mongodb');
    const { status, report: r } = report([tempFile('broken.yaml', text.replace('serviceName: mongodb', 'serviceNme: mongodb'))]);
    expect(status).toBe(1);
    expect(r.resources.map((x) => x.msg).join('\n')).toMatch(/additional properties 'serviceNme' not allowed/);
  });

  it.each([
    [
      'a misspelt field in a Deployment',
      'readOnlyRootFilesystem: true',
      'readOnlyRootFilesytem: true',
      /additional properties 'readOnlyRootFilesytem' not allowed/,
    ],
    ['a string where a port number goes', 'containerPort: 3001', 'containerPort: "3001"', /got string, want (null or )?integer/],
  ])('rejects %s', (_what, from, to, message) => {
    const broken = renderChart().replace(from, to);
    const { status, report: r } = report([tempFile('broken.yaml', broken)]);
    expect(status).toBe(1);
    expect(r.summary.invalid).toBe(1);
    expect(r.resources[0]!.msg).toMatch(message);
  });

  it.each([
    [
      'a misspelt field in the pub/sub Component',
      'components/kafka/pubsub.yaml',
      'initTimeout:',
      'initTimout:',
      /additional properties 'initTimout' not allowed/,
    ],
    [
      'a misspelt field in the Resiliency',
      'components/rabbitmq/resiliency.yaml',
      'maxRetries: -1',
      'maxRetry: -1',
      /additional properties 'maxRetry' not allowed/,
    ],
    ['a number where the Configuration wants a string', 'components/kafka/configuration.yaml', 'samplingRate: "1"', 'samplingRate: 1', /want string/],
    [
      'a misspelt metadata field of a CRD object',
      'components/kafka/pubsub.yaml',
      '  name: pubsub',
      '  nmae: pubsub',
      /additional properties 'nmae' not allowed/,
    ],
    [
      'a misspelt field in a StatefulSet',
      'k8s/mongodb/mongodb.yaml',
      'serviceName: mongodb',
      'serviceNme: mongodb',
      /additional properties 'serviceNme' not allowed/,
    ],
    [
      'a misspelt field in the FerretDB pod',
      'k8s/ferretdb/ferretdb.yaml',
      'readOnlyRootFilesystem: true',
      'readOnlyRootFilesytem: true',
      /additional properties 'readOnlyRootFilesytem' not allowed/,
    ],
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

describe('the platform kustomizations', () => {
  it.each(PLATFORMS)('k8s/platform/%s/%s names the images its variant allows: eventmart.local/* only when local, none otherwise', (broker, variant) => {
    const text = kustomize(platformDir(broker, variant));
    expect(imagesOf(parseManifests(text)).length).toBeGreaterThanOrEqual(2);
    expect(wrongImages(variant, text)).toEqual([]);
  });

  /** A copy of k8s/ in a temporary folder with one platform variant's kustomization edited. */
  const copyOf = (broker: string, variant: string, edit: (text: string) => string) => {
    const root = mkdtempSync(join(tmpdir(), 'eventmart-kustomize-'));
    cpSync(join(ROOT, 'k8s'), join(root, 'k8s'), { recursive: true });
    const file = join(root, platformDir(broker, variant), 'kustomization.yaml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    return join(root, platformDir(broker, variant));
  };

  it('a copy renders as the original does, so the broken copies below differ only in their edit', () => {
    expect(kustomize(copyOf('rabbitmq', 'local', (t) => t))).toBe(kustomize(platformDir('rabbitmq', 'local')));
  });

  it('catches a local variant that leaves an upstream image in place', () => {
    const dir = copyOf('kafka', 'local', (t) => t.replace('newName: eventmart.local/ferretdb', 'newName: ghcr.io/ferretdb/ferretdb'));
    expect(wrongImages('local', kustomize(dir))).toEqual(['ghcr.io/ferretdb/ferretdb:1.24.2']);
  });

  it('catches an upstream variant that names a local image', () => {
    const dir = copyOf('rabbitmq', 'upstream', (t) => `${t}images:\n  - name: mongo\n    newName: eventmart.local/mongo\n`);
    expect(wrongImages('upstream', kustomize(dir))).toEqual([expect.stringMatching(/^eventmart\.local\/mongo:/)]);
  });

  it('fail to render with a misspelt field or a missing part', () => {
    expect(() => kustomize(copyOf('kafka', 'upstream', (t) => t.replace('resources:', 'resource:')))).toThrow(/unknown field|invalid Kustomization/i);
    expect(() => kustomize(copyOf('kafka', 'upstream', (t) => t.replace('../../../mongodb', '../../../mongod')))).toThrow(/mongod/);
  });

  const versions = kubectls();
  (versions.length > 0 ? it.each(versions) : it.skip.each(['(no kubectl on this machine)']))(
    'render the same with %s kustomize as with k8scheck',
    (kubectl) => {
      for (const [broker, variant] of PLATFORMS) {
        const result = run(kubectl, ['kustomize', platformDir(broker, variant)]);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect({ broker, variant, manifests: parseManifests(result.stdout) }).toEqual({
          broker,
          variant,
          manifests: parseManifests(kustomize(platformDir(broker, variant))),
        });
      }
    },
  );
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

describe('the Dockerfile', () => {
  const files = [join(ROOT, 'services/Dockerfile')];
  const check = (paths: string[]) => run(tools().k8scheck, ['dockerfile', ...paths]);

  it("parse with BuildKit's parser and pass its linter", () => {
    const result = check(files);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 Dockerfiles parse cleanly');
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
