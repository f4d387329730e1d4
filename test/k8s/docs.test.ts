// docs/kubernetes.md read as a new user reads it: every command, name, path and port it gives
// must exist in the files it talks about.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BROKERS, DAPR_VERSION, SERVICE_NAMES } from './contract';
import { KUBERNETES_VERSION, ROOT, readYaml, type Manifest } from './tools';

const doc = readFileSync(join(ROOT, 'docs/kubernetes.md'), 'utf8');

const values = parse(readFileSync(join(ROOT, 'charts/eventmart/values.yaml'), 'utf8')) as Record<string, any>;
const skaffold = readYaml('skaffold.yaml');
const kind = readYaml('k8s/kind-config.yaml')[0]!;
const infra = ['k8s/kafka/kafka.yaml', 'k8s/rabbitmq/rabbitmq.yaml', 'k8s/mongodb/mongodb.yaml', 'k8s/ferretdb/ferretdb.yaml'].flatMap(readYaml);
const all = (re: RegExp) => [...doc.matchAll(re)].map((m) => m[1]!);
const unique = (list: string[]) => [...new Set(list)];

/** Service name → ports, from the chart and k8s/. */
const servicePorts = (): Map<string, number[]> => {
  const ports = new Map<string, number[]>();
  for (const name of SERVICE_NAMES) ports.set(name, [values.services[name].port]);
  for (const svc of infra.filter((m: Manifest) => m.kind === 'Service')) {
    ports.set(
      svc.metadata.name,
      svc.spec.ports.map((p: { port: number }) => p.port),
    );
  }
  return ports;
};

describe('docs/kubernetes.md', () => {
  it('creates and deletes the cluster the kind config names', () => {
    expect(doc).toContain('kind create cluster --config k8s/kind-config.yaml');
    expect(doc).toContain(`kind delete cluster --name ${kind.name}`);
    expect(doc).toContain(`kind-${kind.name}`);
    expect(doc).toContain(`Kubernetes ${KUBERNETES_VERSION}`);
  });

  it('names only paths that exist', () => {
    const paths = unique(all(/`((?:k8s|components|charts|services|docs)\/[\w./<>-]*)`/g));
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) {
      for (const broker of BROKERS) {
        const concrete = path.replace('<name>', 'order').replace('<broker>', broker);
        expect({ path: concrete, exists: existsSync(join(ROOT, concrete)) }).toEqual({ path: concrete, exists: true });
      }
    }
  });

  it('scales, logs and restarts only Deployments the chart makes, with their containers', () => {
    const deployments = unique([...all(/deployment\/([a-z-]+)/g), ...all(/app\.kubernetes\.io\/name=([a-z-]+)/g)]);
    expect(deployments).toContain('inventory');
    for (const name of deployments) expect(SERVICE_NAMES).toContain(name);
    for (const container of unique(all(/ -c ([a-z-]+)/g))) expect([...SERVICE_NAMES, 'daprd']).toContain(container);
    expect(doc).toContain('kubectl scale deployment/inventory --replicas=3');
  });

  it('uses only the skaffold profiles and config names skaffold.yaml has', () => {
    const profiles = new Set(skaffold.flatMap((c) => c.profiles.map((p: { name: string }) => p.name)));
    const used = unique(all(/skaffold (?:dev|delete)[^\n`]* -p (\w+)/g));
    expect(used).toEqual(expect.arrayContaining(['rabbitmq', 'kafka']));
    for (const p of used) expect(profiles.has(p)).toBe(true);
    // Every profile is explained, and the one that turns on by itself with the variable it reads.
    for (const p of profiles) {
      expect({ profile: p, named: doc.includes(`\`${p}\``) || doc.includes(`-p ${p}\``) }).toEqual({ profile: p, named: true });
    }
    for (const config of skaffold) {
      for (const { env } of config.profiles.flatMap((p: { activation?: { env?: string }[] }) => p.activation ?? [])) {
        if (env) expect(doc).toContain(`\`${env}\``);
      }
    }
    for (const config of skaffold) expect(doc).toContain(`\`${config.metadata.name}\``);
    const images = skaffold.flatMap((c) => c.build?.artifacts ?? []).map((a: { image: string }) => a.image);
    for (const image of images) expect(doc).toContain(`\`${image}\``);
  });

  it('gives only local ports that kind maps, skaffold forwards or its own port-forwards open', () => {
    const forwards = [...doc.matchAll(/kubectl port-forward svc\/([a-z-]+) (\d+):(\d+)/g)];
    const ports = servicePorts();
    for (const [, svc, , remote] of forwards) expect({ svc, port: ports.get(svc!)?.includes(Number(remote)) }).toEqual({ svc, port: true });
    const open = new Set<number>([
      ...kind.nodes[0].extraPortMappings.map((m: { hostPort: number }) => m.hostPort),
      ...skaffold.flatMap((c) => c.portForward ?? []).map((f: { localPort: number }) => f.localPort),
      ...forwards.map((f) => Number(f[2])),
    ]);
    // Inside a pod, not on your machine: Kafka's own addresses, the sidecar's trace endpoint.
    const insidePods = [9092, 9094, 4317];
    const used = unique(all(/localhost:(\d+)/g))
      .map(Number)
      .filter((p) => !insidePods.includes(p));
    expect(used).toEqual(expect.arrayContaining([8080, 3000]));
    for (const port of used) expect({ port, open: open.has(port) }).toEqual({ port, open: true });
  });

  it('names pods of the StatefulSets in k8s/ and the Dapr version skaffold installs', () => {
    for (const pod of unique(all(/\b([a-z]+)-0\b/g))) {
      expect(infra.some((m: Manifest) => m.kind === 'StatefulSet' && m.metadata.name === pod)).toBe(true);
    }
    const release = skaffold.find((c) => c.metadata.name === 'eventmart-platform')!.deploy.helm.releases[0];
    expect(release.version).toBe(DAPR_VERSION);
    expect(doc).toMatch(new RegExp(`version\\s+${DAPR_VERSION.replace(/\./g, '\\.')}`));
    expect(doc).toContain(`\`${release.namespace}\``);
  });
});
