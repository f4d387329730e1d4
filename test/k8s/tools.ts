// Where scripts/toolchain/k8s-tools.sh put the tools and schemas, and small wrappers to run
// them. The paths come from the script itself (`--print`), so the two never disagree.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = resolve(__dirname, '../..');
const SCRIPT = 'scripts/toolchain/k8s-tools.sh';

export interface Tools {
  helm: string;
  kubeconform: string;
  kubeScore: string;
  k8scheck: string;
  kubernetesSchemas: string;
  crdSchemas: string;
  skaffoldSchema: string;
}

let cached: Tools | undefined;

export function tools(): Tools {
  if (cached) return cached;
  const out = execFileSync('bash', [join(ROOT, SCRIPT), '--print'], { encoding: 'utf8' });
  const [helm, kubeconform, kubeScore, k8scheck, kubernetesSchemas, crdSchemas, skaffoldSchema] = out.trim().split('\n');
  const found = { helm, kubeconform, kubeScore, k8scheck, kubernetesSchemas, crdSchemas, skaffoldSchema } as Record<string, string | undefined>;
  const missing = Object.entries(found).filter(([, path]) => !path || !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`missing k8s test tools: ${missing.map(([name, path]) => `${name} (${path})`).join(', ')}.\n` + `Run: bash ${SCRIPT}`);
  }
  cached = found as unknown as Tools;
  return cached;
}

/** A variable the toolchain script pins, e.g. scriptVar('KUBERNETES_VERSION'). */
export function scriptVar(name: string): string {
  const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(readFileSync(join(ROOT, SCRIPT), 'utf8'));
  if (!match?.[1]) throw new Error(`${SCRIPT} does not set ${name}`);
  return match[1];
}

export const KUBERNETES_VERSION = scriptVar('KUBERNETES_VERSION');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool from the repository root; never throws on a non-zero exit. */
export function run(command: string, args: string[], input?: string): RunResult {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of charts/eventmart with --set pairs; throws with helm's message on failure. */
export function renderChart(set: Record<string, string | number | boolean> = {}): string {
  const args = ['template', 'eventmart', 'charts/eventmart', '--namespace', 'default', '--kube-version', KUBERNETES_VERSION];
  for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${String(value)}`);
  const result = run(tools().helm, args);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

/** `helm template` of charts/eventmart-credentials (the platform's Secrets) for a database. */
export function renderCredentials(database: 'mongodb' | 'ferretdb'): Manifest[] {
  const args = ['template', 'eventmart-credentials', 'charts/eventmart-credentials', '--namespace', 'default', '--kube-version', KUBERNETES_VERSION];
  const result = run(tools().helm, [...args, '--set', `database=${database}`]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** One key of a rendered Secret, decoded. */
export const secretValue = (manifests: Manifest[], name: string, key: string): string => {
  const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === name);
  if (!secret?.data?.[key]) throw new Error(`no Secret ${name} with ${key}`);
  return Buffer.from(secret.data[key], 'base64').toString();
};

/** The values the tests render the chart with: Kafka, RabbitMQ and a scaled-out shape. */
export const PROFILES: Record<string, Record<string, string | number | boolean>> = {
  kafka: { broker: 'kafka' },
  rabbitmq: { broker: 'rabbitmq' },
  'kafka-scaled': {
    broker: 'kafka',
    'services.inventory.replicas': 3,
    'services.shipping.replicas': 2,
    'services.order.autoscaling.enabled': true,
    'services.order.autoscaling.minReplicas': 2,
    'services.payment.keda.enabled': true,
    'services.notification.replicas': 2,
  },
  'rabbitmq-scaled': {
    broker: 'rabbitmq',
    'services.inventory.replicas': 3,
    'services.payment.keda.enabled': true,
    'services.shipping.keda.enabled': true,
    'services.order.replicas': 2,
  },
};

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

export function readYaml(path: string): Manifest[] {
  return parseManifests(readFileSync(join(ROOT, path), 'utf8'));
}

/** Writes text to a fresh temporary file and returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'eventmart-k8s-')), name);
  writeFileSync(path, text);
  return path;
}

/** kubeconform, strict, against the pinned Kubernetes schemas and the Dapr and KEDA CRD schemas. */
export function kubeconform(paths: string[]): RunResult {
  const t = tools();
  return run(t.kubeconform, [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-kubernetes-version',
    KUBERNETES_VERSION,
    '-schema-location',
    join(t.kubernetesSchemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    '-schema-location',
    join(t.crdSchemas, '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
    ...paths,
  ]);
}

/** The two ways skaffold.yaml deploys the platform: k8s/platform/<broker>/<variant>/. */
export const PLATFORM_VARIANTS = ['upstream', 'local'] as const;
export const platformDir = (broker: string, variant: string) => `k8s/platform/${broker}/${variant}`;

/**
 * `kubectl kustomize DIR` without depending on a kubectl: k8scheck's kustomize subcommand runs
 * the kustomize API that kubectl 1.34 embeds, with kubectl's options. Throws with its message.
 */
export function kustomize(dir: string): string {
  const result = run(tools().k8scheck, ['kustomize', dir]);
  if (result.status !== 0) throw new Error(`kustomize ${dir} failed:\n${result.stderr}`);
  return result.stdout;
}

/**
 * The kubectls that skaffold may run `kubectl kustomize` with here: the one `npm run cluster`
 * builds (scripts/cluster/versions.sh) and one on the system, whichever exist.
 */
export function kubectls(): string[] {
  const version = /^KUBERNETES_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts/cluster/versions.sh'), 'utf8'))?.[1];
  const cache = process.env.EVENTMART_CACHE || join(homedir(), '.cache/eventmart');
  const candidates = [...(version ? [join(cache, `kubernetes-${version}`, 'kubectl')] : []), '/usr/bin/kubectl', '/usr/local/bin/kubectl'];
  return candidates.filter((path) => existsSync(path));
}

/** Every container image a list of manifests names (containers and init containers). */
export function imagesOf(manifests: Manifest[]): string[] {
  return manifests.flatMap((m) => {
    const spec = m.spec?.template?.spec ?? m.spec?.jobTemplate?.spec?.template?.spec;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c: { image: string }) => c.image);
  });
}

/** A JSON Pointer's segments (RFC 6901). */
const pointer = (path: string) =>
  path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/**
 * A skaffold profile's JSON Patches applied to a copy of its config, as skaffold applies them:
 * a remove or replace of a path that does not exist, or an add below one, throws.
 */
export function applyPatches<T>(config: T, patches: { op: string; path: string; value?: unknown }[]): T {
  const copy = structuredClone(config) as Record<string, any>;
  for (const { op, path, value } of patches) {
    const keys = pointer(path);
    const last = keys.pop()!;
    let parent: any = copy;
    for (const key of keys) {
      if (parent === null || typeof parent !== 'object' || !(key in parent)) throw new Error(`${op} ${path}: no ${key}`);
      parent = parent[key];
    }
    if (parent === null || typeof parent !== 'object') throw new Error(`${op} ${path}: not an object or array`);
    const exists = last in parent;
    if (op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, value);
      else parent[last] = value;
    } else if (op === 'remove' || op === 'replace') {
      if (!exists) throw new Error(`${op} ${path}: nothing there`);
      if (op === 'replace') parent[last] = value;
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      throw new Error(`unsupported patch op ${op}`);
    }
  }
  return copy as T;
}
