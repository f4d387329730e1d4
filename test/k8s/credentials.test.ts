// The broker's and the database's credentials: made by charts/eventmart-credentials (random,
// kept), read from those Secrets by the broker and the database (k8s/), by each sidecar (the
// components' envRefs, which the chart fills only from Secrets) and by each service
// (MONGODB_URL). No password is written in any manifest the cluster is deployed from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BROKERS } from './contract';
import {
  PLATFORM_VARIANTS,
  PROFILES,
  ROOT,
  kustomize,
  parseManifests,
  platformDir,
  readYaml,
  renderChart,
  renderCredentials,
  secretValue,
  type Manifest,
} from './tools';

const values = parse(readFileSync(join(ROOT, 'charts/eventmart/values.yaml'), 'utf8')) as Record<string, any>;
const platforms = BROKERS.flatMap((broker) =>
  PLATFORM_VARIANTS.map((variant) => ({ broker, variant, manifests: parseManifests(kustomize(platformDir(broker, variant))) })),
);
const containersOf = (m: Manifest) => [...(m.spec?.template?.spec?.initContainers ?? []), ...(m.spec?.template?.spec?.containers ?? [])];
/** A URL with a password in it (`scheme://user:password@`), unless the password is a variable Kubernetes expands. */
const URL_WITH_PASSWORD = /[a-z]+:\/\/[^/\s:@]+:(?!\$\()[^@\s/]+@/;
const SECRET_NAME = /PASS|SECRET|TOKEN/;
const JAAS_PASSWORD = /(user_\w+|password)="(?!\$\()/;

/** Where a manifest writes a credential in plain text: Secrets with literal data, env values, URLs with a password. */
function plainCredentials(manifests: Manifest[]): string[] {
  const found: string[] = [];
  for (const m of manifests) {
    if (m.kind === 'Secret') found.push(`Secret ${m.metadata.name}`);
    for (const c of containersOf(m)) {
      for (const e of c.env ?? []) {
        if (e.value === undefined) continue;
        // A variable named as a secret has no business with a value; a JAAS line's passwords must be variables.
        if (SECRET_NAME.test(e.name) || JAAS_PASSWORD.test(e.value)) found.push(`${m.metadata.name}/${c.name} ${e.name}`);
      }
    }
    if (URL_WITH_PASSWORD.test(JSON.stringify(m))) found.push(`${m.kind} ${m.metadata.name}: a URL with a password`);
  }
  return found;
}

describe('the platform manifests (k8s/platform/<broker>/<variant>)', () => {
  it.each(platforms.map((p) => [`${p.broker}/${p.variant}`, p.manifests]))('%s write no credential in plain text', (_name, manifests) => {
    expect(plainCredentials(manifests as Manifest[])).toEqual([]);
  });

  it('read every secret from a Secret and key that charts/eventmart-credentials makes', () => {
    const made = renderCredentials('ferretdb');
    for (const { broker, variant, manifests } of platforms) {
      const refs = manifests.flatMap((m) =>
        containersOf(m).flatMap((c) => (c.env ?? []).flatMap((e: any) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []))),
      );
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect([broker, variant, ref, secretValue(made, ref.name, ref.key).length > 0]).toEqual([broker, variant, ref, true]);
    }
  });

  it('ask the clients for a user: Kafka SASL/PLAIN on the sidecars listener, RabbitMQ its own user, PostgreSQL a password', () => {
    const env = (name: string, manifests: Manifest[], container = name) =>
      Object.fromEntries(
        containersOf(manifests.find((m) => m.kind === 'StatefulSet' && containersOf(m).some((c) => c.name === container))!)
          .find((c) => c.name === container)
          .env.map((e: any) => [e.name, e]),
      );
    const kafka = env('kafka', platforms.find((p) => p.broker === 'kafka')!.manifests);
    expect(kafka.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.value).toMatch(/(^|,)CLIENT:SASL_PLAINTEXT(,|$)/);
    expect(kafka.KAFKA_LISTENERS.value).toMatch(/(^|,)CLIENT:\/\/:9092(,|$)/);
    // The other listeners, without authentication, answer on the pod's loopback only.
    for (const listener of kafka.KAFKA_LISTENERS.value.split(',').filter((l: string) => !l.startsWith('CLIENT:')))
      expect(listener).toMatch(/^\w+:\/\/localhost:\d+$/);
    expect(kafka.KAFKA_SASL_ENABLED_MECHANISMS.value).toBe('PLAIN');
    expect(kafka.KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG.value).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_$(SASL_USERNAME)="$(SASL_PASSWORD)";',
    );
    expect(kafka.SASL_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: values.kafka.credentialsSecret, key: 'password' });
    const rabbitmq = env('rabbitmq', platforms.find((p) => p.broker === 'rabbitmq')!.manifests);
    expect(rabbitmq.RABBITMQ_DEFAULT_PASS.valueFrom.secretKeyRef).toEqual({ name: 'rabbitmq', key: 'password' });
    const local = platforms.find((p) => p.variant === 'local')!.manifests;
    const postgres = env('mongodb', local, 'postgres');
    expect(postgres.POSTGRES_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mongodb', key: 'password' });
    expect(postgres.POSTGRES_INITDB_ARGS.value).toBe('--auth-host=scram-sha-256');
    // FerretDB connects with each client's own user and password, none of its own.
    expect(new URL(env('mongodb', local, 'ferretdb').FERRETDB_POSTGRESQL_URL.value).username).toBe('');
  });
});

describe('charts/eventmart-credentials', () => {
  it.each(['mongodb', 'ferretdb'] as const)('makes random passwords and URLs that carry them (%s)', (database) => {
    const [a, b] = [renderCredentials(database), renderCredentials(database)];
    for (const name of ['kafka', 'rabbitmq', 'mongodb']) {
      expect(secretValue(a, name, 'password')).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(secretValue(a, name, 'password')).not.toBe(secretValue(b, name, 'password'));
      expect(a.find((m) => m.metadata.name === name)!.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    }
    const rabbitmq = new URL(secretValue(a, 'rabbitmq', 'url'));
    expect([rabbitmq.username, rabbitmq.password]).toEqual([secretValue(a, 'rabbitmq', 'username'), secretValue(a, 'rabbitmq', 'password')]);
    const mongodb = new URL(secretValue(a, 'mongodb', 'url'));
    if (database === 'ferretdb')
      expect([mongodb.username, mongodb.password]).toEqual([secretValue(a, 'mongodb', 'username'), secretValue(a, 'mongodb', 'password')]);
  });

  it('reuses the password of a Secret that exists (lookup), so running brokers and volumes keep working', () => {
    const template = readFileSync(join(ROOT, 'charts/eventmart-credentials/templates/_helpers.tpl'), 'utf8');
    expect(template).toMatch(/lookup "v1" "Secret" \.root\.Release\.Namespace \.name/);
    expect(template).toMatch(/index \$existing\.data "password" \| b64dec/);
  });
});

describe.each(BROKERS)('the sidecars and services on %s', (broker) => {
  const rendered = parseManifests(renderChart(PROFILES[broker]));
  const components = readYaml(`components/${broker}/pubsub.yaml`).concat(readYaml(`components/${broker}/pubsub-broadcast.yaml`));
  const CREDENTIAL_FIELDS = broker === 'kafka' ? ['saslUsername', 'saslPassword'] : ['connectionString'];

  it('take the broker credentials into the component by envRef, never as a value', () => {
    for (const c of components) {
      const metadata = Object.fromEntries((c.spec.metadata as { name: string }[]).map((m) => [m.name, m]));
      for (const field of CREDENTIAL_FIELDS)
        expect([c.metadata.name, field, metadata[field]]).toEqual([c.metadata.name, field, { name: field, envRef: expect.any(String) }]);
    }
  });

  it('fill those variables of every sidecar only from Secrets, and MONGODB_URL of every service too', () => {
    const variables = components.flatMap((c) =>
      (c.spec.metadata as { name: string; envRef?: string }[]).filter((m) => CREDENTIAL_FIELDS.includes(m.name)).map((m) => m.envRef!),
    );
    const made = renderCredentials('ferretdb');
    for (const d of rendered.filter((m) => m.kind === 'Deployment')) {
      const a = d.spec.template.metadata.annotations;
      const fromSecret = Object.fromEntries(
        (a['dapr.io/env-from-secret'] ?? '').split(',').map((pair: string) => {
          const [name, ref] = pair.split('=');
          return [name, ref!.split(':')];
        }),
      );
      for (const variable of new Set(variables)) {
        const [secret, key] = fromSecret[variable] ?? [];
        expect([d.metadata.name, variable, secretValue(made, secret!, key!).length > 0]).toEqual([d.metadata.name, variable, true]);
        expect(a['dapr.io/env'] ?? '').not.toContain(`${variable}=`);
      }
      const url = d.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'MONGODB_URL');
      expect(url.valueFrom.secretKeyRef).toEqual(values.mongodb.urlSecret);
    }
    expect(plainCredentials(rendered.filter((m) => m.kind !== 'Secret'))).toEqual([]);
  });
});

describe('the plain-credentials check', () => {
  const pod = (env: object[]) =>
    parseManifests(JSON.stringify({ kind: 'StatefulSet', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', env }] } } } }));
  it('finds a password in a value, a URL or a Secret, and passes one from a Secret or a variable', () => {
    expect(plainCredentials(pod([{ name: 'POSTGRES_PASSWORD', value: 'p' }]))).toHaveLength(1);
    expect(plainCredentials(pod([{ name: 'DB', value: 'postgres://u:p@h/db' }]))).toHaveLength(1);
    expect(plainCredentials(parseManifests('kind: Secret\nmetadata: { name: s }\nstringData: { password: p }'))).toHaveLength(1);
    expect(plainCredentials(pod([{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }]))).toEqual([]);
    expect(plainCredentials(pod([{ name: 'DB', value: 'postgres://u:$(P)@h/db' }]))).toEqual([]);
    expect(plainCredentials(pod([{ name: 'JAAS', value: 'PlainLoginModule required user_a="p";' }]))).toHaveLength(1);
    expect(plainCredentials(pod([{ name: 'JAAS', value: 'PlainLoginModule required user_$(U)="$(P)";' }]))).toEqual([]);
  });
});
