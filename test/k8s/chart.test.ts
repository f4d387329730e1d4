// The Helm chart: lint, render for both brokers and scaled values, and what each service gets.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_HEALTH_FLAGS } from '../../scripts/src/runner/system';
import { PUBLIC_SERVICES, SERVICES, SERVICE_NAMES } from './contract';
import { KUBERNETES_VERSION, PROFILES, ROOT, parseManifests, renderChart, run, tools, type Manifest } from './tools';

const rendered: Record<string, Manifest[]> = {};
beforeAll(() => {
  for (const [profile, set] of Object.entries(PROFILES)) rendered[profile] = parseManifests(renderChart(set));
});

const find = (docs: Manifest[], kind: string, name: string): Manifest => {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} rendered`);
  return doc;
};
const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);

describe('helm lint --strict', () => {
  it.each(Object.keys(PROFILES))('passes with the %s values', (profile) => {
    const args = ['lint', '--strict', 'charts/eventmart', '--kube-version', KUBERNETES_VERSION];
    for (const [key, value] of Object.entries(PROFILES[profile]!)) args.push('--set', `${key}=${String(value)}`);
    const result = run(tools().helm, args);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('values.schema.json', () => {
  it.each([
    ['an unknown broker', { broker: 'nats' }],
    ['a misspelt service setting', { 'services.order.replicaz': 2 }],
    ['a port out of range', { 'services.payment.port': 70000 }],
    ['a NodePort outside the NodePort range', { 'services.order.nodePort': 8080 }],
  ])('rejects %s', (_what, set) => {
    expect(() => renderChart(set)).toThrow(/values don't meet the specifications of the schema/);
  });
});

describe.each(Object.keys(PROFILES))('the %s rendering', (profile) => {
  const docs = () => rendered[profile]!;

  it('has a Deployment, Service, ServiceAccount and NetworkPolicy per service, named by app id', () => {
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'NetworkPolicy']) {
      const names = ofKind(docs(), kind)
        .map((d) => d.metadata.name)
        .filter((n) => n !== 'eventmart-default-deny');
      expect(names.sort()).toEqual([...SERVICE_NAMES].sort());
    }
  });

  it('annotates every pod for Prometheus with its own port and /metrics', () => {
    for (const name of SERVICE_NAMES)
      expect(find(docs(), 'Deployment', name).spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(SERVICES[name]!.port),
        'prometheus.io/path': '/metrics',
      });
  });

  it('gives every service its name and the trace backend for its spans', () => {
    for (const name of SERVICE_NAMES) {
      const env = Object.fromEntries(
        (find(docs(), 'Deployment', name).spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
      );
      expect(env).toMatchObject({ OTEL_SERVICE_NAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_SAMPLER_ARG: '1' });
    }
  });

  it('annotates every pod for Dapr with its app id, port, config, tokens and broker address', () => {
    const broker = PROFILES[profile]!.broker;
    for (const name of SERVICE_NAMES) {
      const a = find(docs(), 'Deployment', name).spec.template.metadata.annotations;
      expect(a).toMatchObject({
        'dapr.io/enabled': 'true',
        'dapr.io/app-id': name,
        'dapr.io/app-port': String(SERVICES[name]!.port),
        'dapr.io/config': 'eventmart',
        'dapr.io/log-as-json': 'true',
        'dapr.io/enable-metrics': 'true',
        'dapr.io/api-token-secret': `eventmart-${name}-dapr-api-token`,
        'dapr.io/app-token-secret': `eventmart-${name}-app-api-token`,
      });
      // The same app health check as the local runner's sidecars: no deliveries while /readyz fails.
      const health = Object.fromEntries(APP_HEALTH_FLAGS.map((f) => f.replace(/^--/, 'dapr.io/').split('=')).map(([k, v]) => [k, v ?? 'true']));
      expect(a).toMatchObject(health);
      if (broker === 'kafka') {
        expect(a['dapr.io/env']).toBe('KAFKA_BROKERS=kafka:9092,KAFKA_AUTH_TYPE=password');
        // The SASL user only from the Secret (the injector makes them secretKeyRefs of daprd).
        expect(a['dapr.io/env-from-secret']).toBe('KAFKA_SASL_USERNAME=kafka:username,KAFKA_SASL_PASSWORD=kafka:password');
      } else {
        expect(a['dapr.io/env-from-secret']).toBe('RABBITMQ_URL=rabbitmq:url');
        expect(a['dapr.io/env']).toBeUndefined();
      }
    }
  });

  it('gives the app the same tokens as its sidecar, and the contract env', () => {
    for (const name of SERVICE_NAMES) {
      const container = find(docs(), 'Deployment', name).spec.template.spec.containers[0];
      const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
      // Its own pair, the same the annotations give its sidecar; and the operator's admin token.
      expect(env.DAPR_API_TOKEN.valueFrom.secretKeyRef).toEqual({ name: `eventmart-${name}-dapr-api-token`, key: 'token' });
      expect(env.APP_API_TOKEN.valueFrom.secretKeyRef).toEqual({ name: `eventmart-${name}-app-api-token`, key: 'token' });
      expect(env.ADMIN_TOKEN.valueFrom.secretKeyRef).toEqual({ name: 'eventmart-admin-token', key: 'token' });
      expect(env.PORT.value).toBe(String(SERVICES[name]!.port));
      // The connection string, with the database's user and password, only from its Secret.
      expect(env.MONGODB_URL.valueFrom.secretKeyRef).toEqual({ name: 'mongodb', key: 'url' });
      expect(env.MONGODB_DB.value).toBe(`eventmart-${name}`);
      // notification subscribes through the broadcast component: every replica gets every event.
      expect(env.PUBSUB_NAME.value).toBe(name === 'notification' ? 'pubsub-broadcast' : 'pubsub');
      expect(new Set(container.env.map((e: { name: string }) => e.name)).size).toBe(container.env.length);
    }
    const secrets = ofKind(docs(), 'Secret')
      .map((s) => s.metadata.name)
      .sort();
    expect(secrets).toEqual(
      ['eventmart-admin-token', ...SERVICE_NAMES.flatMap((n) => [`eventmart-${n}-app-api-token`, `eventmart-${n}-dapr-api-token`])].sort(),
    );
  });

  it('probes /healthz for liveness and /readyz for readiness, on the contract port', () => {
    for (const name of SERVICE_NAMES) {
      const c = find(docs(), 'Deployment', name).spec.template.spec.containers[0];
      expect(c.ports).toEqual([{ name: 'http', containerPort: SERVICES[name]!.port, protocol: 'TCP' }]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.resources.requests).toBeDefined();
      expect(c.resources.limits).toBeDefined();
    }
  });

  it('runs every container locked down: non-root, read-only root with /tmp, no escalation, no capabilities', () => {
    for (const name of SERVICE_NAMES) {
      const pod = find(docs(), 'Deployment', name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      const c = pod.containers[0];
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }));
    }
  });

  it('carries the recommended labels on every object', () => {
    for (const doc of docs()) {
      expect(doc.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'eventmart',
        'app.kubernetes.io/part-of': 'eventmart',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/version': expect.any(String),
      });
    }
  });

  it('exposes only the page and the order API outside the cluster', () => {
    const nodePorts = ofKind(docs(), 'Service')
      .filter((s) => s.spec.type === 'NodePort')
      .map((s) => s.metadata.name);
    expect(nodePorts.sort()).toEqual([...PUBLIC_SERVICES].sort());
  });

  it('has a PodDisruptionBudget exactly for the services that may run more than one replica', () => {
    const set = PROFILES[profile]!;
    const scalable = SERVICE_NAMES.filter(
      (name) =>
        Number(set[`services.${name}.replicas`] ?? 1) > 1 ||
        set[`services.${name}.autoscaling.enabled`] === true ||
        set[`services.${name}.keda.enabled`] === true,
    );
    expect(
      ofKind(docs(), 'PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(scalable.sort());
  });

  it('leaves the replica count to the HPA or KEDA where they scale the service', () => {
    for (const hpa of ofKind(docs(), 'HorizontalPodAutoscaler')) {
      expect(find(docs(), 'Deployment', hpa.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    }
    for (const so of ofKind(docs(), 'ScaledObject')) {
      expect(find(docs(), 'Deployment', so.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    }
  });
});

describe('scaling', () => {
  it('renders the replica counts asked for', () => {
    expect(find(rendered['kafka-scaled']!, 'Deployment', 'inventory').spec.replicas).toBe(3);
    expect(find(rendered.kafka!, 'Deployment', 'inventory').spec.replicas).toBe(1);
  });

  it('scales a Kafka consumer on its consumer group lag, a RabbitMQ consumer on its queues', () => {
    const kafka = find(rendered['kafka-scaled']!, 'ScaledObject', 'payment');
    expect(kafka.spec.triggers).toEqual([
      expect.objectContaining({
        type: 'kafka',
        metadata: expect.objectContaining({ consumerGroup: 'payment', bootstrapServers: 'kafka.default.svc.cluster.local:9092' }),
      }),
    ]);
    expect(kafka.spec.maxReplicaCount).toBeLessThanOrEqual(6);
    const rabbit = find(rendered['rabbitmq-scaled']!, 'ScaledObject', 'payment');
    // Dapr's RabbitMQ component names each queue <app id>-<topic>.
    expect(rabbit.spec.triggers.map((t: { metadata: { queueName: string } }) => t.metadata.queueName)).toEqual(
      SERVICES.payment!.subscribes.map((topic) => `payment-${topic}`),
    );
    expect(find(rendered['rabbitmq-scaled']!, 'TriggerAuthentication', 'eventmart-rabbitmq')).toBeDefined();
  });

  it('lets a service reach only DNS, the Dapr control plane, MongoDB, the chosen broker and the trace backend', () => {
    const egressPorts = (docs: Manifest[]) =>
      find(docs, 'NetworkPolicy', 'payment').spec.egress.flatMap((rule: { ports?: { port: number }[] }) => (rule.ports ?? []).map((p) => p.port));
    expect(egressPorts(rendered.kafka!).sort()).toEqual([27017, 53, 53, 9092, 4317, 4318].sort());
    expect(egressPorts(rendered.rabbitmq!).sort()).toEqual([27017, 5672, 53, 53, 4317, 4318].sort());
    const deny = find(rendered.kafka!, 'NetworkPolicy', 'eventmart-default-deny');
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'eventmart', 'app.kubernetes.io/part-of': 'eventmart' } },
      policyTypes: ['Ingress', 'Egress'],
    });
  });
});

describe('NOTES.txt', () => {
  // helm renders NOTES.txt only on install, which wants a cluster: render it through a copy of
  // the chart with one extra template that includes it.
  const renderNotes = (set: Record<string, string>) => {
    const chart = join(mkdtempSync(join(tmpdir(), 'eventmart-notes-')), 'eventmart');
    cpSync(join(ROOT, 'charts/eventmart'), chart, { recursive: true });
    writeFileSync(join(chart, 'templates/zz-notes.yaml'), 'notes: {{ include "eventmart/templates/NOTES.txt" . | toJson }}\n');
    const args = ['template', 'eventmart', chart, '--show-only', 'templates/zz-notes.yaml'];
    for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`);
    const result = run(tools().helm, args);
    if (result.status !== 0) throw new Error(result.stderr);
    return (parse(result.stdout) as { notes: string }).notes;
  };

  it('tells the user what to run next, for the broker in use', () => {
    const kafka = renderNotes({});
    expect(kafka).toContain('kubectl apply -f components/kafka/');
    expect(kafka).toContain('http://localhost:8080');
    expect(kafka).toContain('kubectl scale deployment/inventory --replicas=3');
    expect(renderNotes({ broker: 'rabbitmq' })).toContain('kubectl apply -f components/rabbitmq/');
  });
});
