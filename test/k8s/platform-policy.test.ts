// The broker's and the database's NetworkPolicies (k8s/<part>/networkpolicy.yaml), read as a CNI
// that enforces them would: for each platform the skaffold profiles deploy, who may open a
// connection to which port of the broker and the database pods. Eventmart's service pods, as
// the chart renders them and Dapr's injector labels them, get in; a pod without those labels,
// Jaeger, and the other platform pods do not.
import { PLATFORM_VARIANTS, PROFILES, kustomize, parseManifests, platformDir, renderChart, type Manifest } from './tools';

type Labels = Record<string, string>;
interface Pod {
  labels: Labels;
  namespace: string;
}
const NAMESPACE = 'default';
const matches = (selector: { matchLabels?: Labels; matchExpressions?: unknown[] } | undefined, labels: Labels) => {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not read by this test');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
};
const namespaceLabels = (name: string): Labels => ({ 'kubernetes.io/metadata.name': name });

/** The numbers a policy port (a number or a container port's name) stands for on the target pod. */
const portNumber = (port: number | string, target: Manifest): number | undefined =>
  typeof port === 'number' ? port : target.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === port)?.containerPort;

/** Whether the policies let `from` open a TCP connection to `port` of the StatefulSet `target`'s pods. */
function allowed(policies: Manifest[], target: Manifest, from: Pod, port: number): boolean {
  const targetLabels = target.spec.template.metadata.labels as Labels;
  const selecting = policies.filter((p) => matches(p.spec.podSelector, targetLabels) && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (selecting.length === 0) return true; // not isolated
  return selecting.some((policy) =>
    (policy.spec.ingress ?? []).some((rule: any) => {
      const portOk = !rule.ports || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === 'TCP' && portNumber(p.port, target) === port);
      const peerOk =
        !rule.from ||
        rule.from.some((peer: any) => {
          const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, namespaceLabels(from.namespace)) : from.namespace === NAMESPACE;
          const podOk = peer.podSelector ? matches(peer.podSelector, from.labels) : true;
          return nsOk && podOk;
        });
      return portOk && peerOk;
    }),
  );
}

const INJECTED = { 'dapr.io/sidecar-injected': 'true' };
const PARTS = { kafka: { port: 9092, peers: true }, rabbitmq: { port: 5672, peers: true } } as const;

describe.each(Object.keys(PARTS) as (keyof typeof PARTS)[])('the platform for %s', (broker) => {
  const services = parseManifests(renderChart(PROFILES[broker])).filter((m) => m.kind === 'Deployment');
  const servicePods: Pod[] = services.map((d) => ({ labels: { ...d.spec.template.metadata.labels, ...INJECTED }, namespace: NAMESPACE }));

  describe.each(PLATFORM_VARIANTS)('(%s images)', (variant) => {
    const manifests = parseManifests(kustomize(platformDir(broker, variant)));
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
    const sets = manifests.filter((m) => m.kind === 'StatefulSet');
    const set = (name: string) => sets.find((s) => s.metadata.name === name)!;
    const podOf = (m: Manifest, namespace = NAMESPACE): Pod => ({ labels: m.spec.template.metadata.labels, namespace });
    const strangers: [string, Pod][] = [
      ['a pod with no labels', { labels: {}, namespace: NAMESPACE }],
      ['a pod labelled part-of eventmart only', { labels: { 'app.kubernetes.io/part-of': 'eventmart' }, namespace: NAMESPACE }],
      ['a service-labelled pod in another namespace', { ...servicePods[0]!, namespace: 'other' }],
      ...manifests.filter((m) => m.kind === 'Deployment').map((d): [string, Pod] => [`the ${d.metadata.name} pod`, podOf(d)]),
    ];

    it('lets every Eventmart service pod with its sidecar reach the broker, and no one else but its peers', () => {
      const target = set(broker);
      expect(services).toHaveLength(5);
      for (const pod of servicePods)
        expect([pod.labels['app.kubernetes.io/name'], allowed(policies, target, pod, PARTS[broker].port)]).toEqual([
          pod.labels['app.kubernetes.io/name'],
          true,
        ]);
      // The same pod before the injector added its sidecar: no broker.
      const bare = services[0]!.spec.template.metadata.labels as Labels;
      expect(allowed(policies, target, { labels: bare, namespace: NAMESPACE }, PARTS[broker].port)).toBe(false);
      for (const [name, pod] of [...strangers, ['the database pod', podOf(set('mongodb'))] as [string, Pod]]) {
        expect([name, allowed(policies, target, pod, PARTS[broker].port)]).toEqual([name, false]);
      }
      // Its peers (a larger cluster's brokers) reach it; KEDA's operator, when installed, reads lag / queue length.
      expect(allowed(policies, target, podOf(target), PARTS[broker].port)).toBe(true);
      expect(allowed(policies, target, { labels: {}, namespace: 'keda' }, PARTS[broker].port)).toBe(true);
      // Service pods get nothing but the client port.
      for (const other of [9093, 15672, 4369, 25672]) expect(allowed(policies, target, servicePods[0]!, other)).toBe(false);
    });

    it('lets only the service pods reach the database, and only on its wire port', () => {
      const target = set('mongodb');
      for (const pod of servicePods) expect(allowed(policies, target, pod, 27017)).toBe(true);
      for (const [name, pod] of [...strangers, [`the ${broker} pod`, podOf(set(broker))] as [string, Pod]]) {
        expect([name, allowed(policies, target, pod, 27017)]).toEqual([name, false]);
      }
      // PostgreSQL (FerretDB's backing store) is on the pod's loopback and no policy opens its port.
      expect(allowed(policies, target, servicePods[0]!, 5432)).toBe(false);
    });

    it('isolates every broker and database pod', () => {
      for (const s of sets) {
        const selected = policies.filter((p) => matches(p.spec.podSelector, s.spec.template.metadata.labels));
        expect([s.metadata.name, selected.length]).toEqual([s.metadata.name, 1]);
      }
    });
  });
});

describe('the policy reader', () => {
  const policy = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { role: client } } }]
      ports: [{ port: wire, protocol: TCP }]
`);
  const target = {
    spec: { template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ ports: [{ name: 'wire', containerPort: 1 }] }] } } },
  } as unknown as Manifest;
  it('allows the selected peer on the named port, and refuses another pod, port or namespace', () => {
    expect(allowed(policy, target, { labels: { role: 'client' }, namespace: NAMESPACE }, 1)).toBe(true);
    expect(allowed(policy, target, { labels: { role: 'other' }, namespace: NAMESPACE }, 1)).toBe(false);
    expect(allowed(policy, target, { labels: { role: 'client' }, namespace: NAMESPACE }, 2)).toBe(false);
    expect(allowed(policy, target, { labels: { role: 'client' }, namespace: 'x' }, 1)).toBe(false);
    expect(allowed([], target, { labels: {}, namespace: NAMESPACE }, 1)).toBe(true);
  });
});
