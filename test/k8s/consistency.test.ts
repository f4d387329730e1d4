// One set of names, ports, topics and versions across every file that repeats them: the
// contract (contract.ts), the chart's values, both component folders, skaffold.yaml, k8s/,
// the Dockerfiles, the toolchain pins, the local runner and the services' own subscriptions.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allTopics } from '@eventmart/shared/events';
import { RABBITMQ_CONF } from '../../scripts/src/runner/infra';
import { SERVICE_NODE_FLAGS } from '../../scripts/src/runner/system';
import { SERVICE_NAMES as SERVICE_NAMES_RUN, SERVICE_PORTS, type ServiceName } from '../../scripts/src/runner/ports';
import { BROADCAST_APPS, BROADCAST_PUBSUB_NAME, BROKERS, DAPR_VERSION, PUBLIC_SERVICES, PUBSUB_NAME, SERVICES, SERVICE_NAMES } from './contract';
import {
  KUBERNETES_VERSION,
  PLATFORM_VARIANTS,
  ROOT,
  applyPatches,
  kustomize,
  parseManifests,
  platformDir,
  readYaml,
  renderCredentials,
  scriptVar,
  secretValue,
  type Manifest,
} from './tools';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const values = parse(read('charts/eventmart/values.yaml')) as Record<string, any>;
const skaffold = readYaml('skaffold.yaml');
const sorted = (list: Iterable<string>) => [...list].sort();
/** A pin of scripts/toolchain/versions.sh, e.g. pinned('DAPR_VERSION'). */
const pinned = (name: string) => new RegExp(`^${name}=(\\S+)$`, 'm').exec(read('scripts/toolchain/versions.sh'))![1]!;

const LOCAL_PROFILE = 'local-images';
const DOCKERFILE = 'services/Dockerfile';
const DATABASES = { upstream: 'mongodb', local: 'ferretdb' } as const;
/** The template skaffold expands into k8s/platform/<broker>/<variant>. */
const PLATFORM_PATH = (broker: string) => `k8s/platform/${broker}/{{.EVENTMART_IMAGES | default "upstream"}}`;

/** The parts a platform kustomization puts together, as k8s/ folders: ['k8s/kafka', 'k8s/mongodb']. */
const overlayParts = (broker: string, variant: string, kustomization: Manifest = readYaml(`${platformDir(broker, variant)}/kustomization.yaml`)[0]!) =>
  (kustomization.resources as string[]).map((r) => join(platformDir(broker, variant), r));

/** What is wrong with a platform kustomization: it must be its broker, exactly its variant's database and the trace backend. */
const overlayProblems = (broker: string, variant: keyof typeof DATABASES, kustomization?: Manifest): string[] => {
  const parts = overlayParts(broker, variant, kustomization);
  const problems: string[] = [];
  if (!parts.includes(`k8s/${broker}`)) problems.push(`no k8s/${broker}`);
  const databases = parts.filter((p) => Object.values(DATABASES).some((db) => p === `k8s/${db}`));
  if (String(databases) !== `k8s/${DATABASES[variant]}`) problems.push(`databases ${String(databases)}, want k8s/${DATABASES[variant]}`);
  for (const p of parts) if (BROKERS.some((b) => b !== broker && p.includes(b))) problems.push(`names the other broker: ${p}`);
  if (!parts.includes('k8s/jaeger')) problems.push('no k8s/jaeger');
  if (parts.length !== 3) problems.push(`${parts.length} parts: ${String(parts)}`);
  return problems;
};

/** Both skaffold configs with their local-images profile applied, as skaffold applies it. */
const withLocalImages = (configs: Manifest[]) =>
  configs.map((c) => applyPatches(c, c.profiles.find((p: { name: string }) => p.name === LOCAL_PROFILE)?.patches ?? []));

/** What is wrong with the local-images profiles of a skaffold.yaml. */
const localImagesProblems = (configs: Manifest[]): string[] => {
  const problems: string[] = [];
  for (const c of configs) {
    const profile = c.profiles.find((p: { name: string }) => p.name === LOCAL_PROFILE);
    if (JSON.stringify(profile?.activation) !== JSON.stringify([{ env: 'EVENTMART_IMAGES=local' }])) {
      problems.push(`${c.metadata.name}: activation ${JSON.stringify(profile?.activation)}`);
    }
  }
  let patched: Manifest[];
  try {
    patched = withLocalImages(configs);
  } catch (e) {
    return [...problems, String(e)];
  }
  const platform = patched.find((c) => c.metadata.name === 'eventmart-platform')!;
  const app = patched.find((c) => c.metadata.name === 'eventmart')!;
  const dapr = platform.deploy.helm.releases[0];
  const daprVersion = pinned('DAPR_VERSION');
  if (dapr.repo || dapr.remoteChart || dapr.version) problems.push('the Dapr release still names the remote chart');
  if (!/\.EVENTMART_DAPR_CHART\b/.test(dapr.chartPath ?? '')) problems.push(`Dapr chartPath ${dapr.chartPath}`);
  if (dapr.setValues['global.registry'] !== 'eventmart.local/dapr') problems.push(`Dapr registry ${dapr.setValues['global.registry']}`);
  if (dapr.setValues['global.tag'] !== daprVersion) problems.push(`Dapr tag ${dapr.setValues['global.tag']}, want ${daprVersion}`);
  // The patches leave the rest of the platform as it is: the manifests, the other settings.
  if (JSON.stringify(platform.manifests) !== JSON.stringify(configs.find((c) => c.metadata.name === 'eventmart-platform')!.manifests)) {
    problems.push('the platform manifests change');
  }
  // One Node image for every service: a local image, or the variable `npm run cluster -- env` sets.
  const nodeImages = new Set(app.build.artifacts.map((a: { docker?: { buildArgs?: Record<string, string> } }) => a.docker?.buildArgs?.NODE_IMAGE));
  for (const a of app.build.artifacts) {
    const image = a.docker?.buildArgs?.NODE_IMAGE;
    if (!/^(eventmart\.local\/node:\S+|\{\{\s*\.EVENTMART_\w+\s*\}\})$/.test(image ?? '')) problems.push(`${a.image}: NODE_IMAGE ${image}`);
  }
  if (nodeImages.size !== 1) problems.push(`NODE_IMAGE differs between artifacts: ${[...nodeImages].join(', ')}`);
  // The services' connection string (the Secret mongodb) is FerretDB's: no replica set, a user.
  const credentials = platform.deploy.helm.releases.find((r: { name: string }) => r.name === 'eventmart-credentials');
  if (credentials?.setValues?.database !== 'ferretdb') problems.push(`credentials database ${credentials?.setValues?.database}`);
  if (app.deploy.helm.releases[0].setValues['mongodb.url']) problems.push('the chart is given a mongodb.url');
  return problems;
};

/** "order=orders,deadletter-order;payment=..." → { order: [...], ... } */
const parseScopes = (value: string): Record<string, string[]> =>
  Object.fromEntries(
    value.split(';').map((entry) => {
      const [app, topics] = entry.split('=');
      return [app!, topics!.split(',')];
    }),
  );

const componentFolder = (broker: string) =>
  readdirSync(join(ROOT, 'components', broker))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => readYaml(`components/${broker}/${f}`).map((doc) => ({ file: f, doc })));

describe('the chart values', () => {
  it('list exactly the contract services, with their ports and topics', () => {
    expect(sorted(Object.keys(values.services))).toEqual(sorted(SERVICE_NAMES));
    for (const name of SERVICE_NAMES) {
      const svc = values.services[name];
      expect({
        name,
        port: svc.port,
        publishes: svc.publishes,
        subscribes: svc.subscribes,
      }).toEqual({ name, ...SERVICES[name] });
    }
  });

  it('name the pub/sub component and the Configuration that components/ declare', () => {
    expect(values.dapr.pubsubName).toBe(PUBSUB_NAME);
    for (const broker of BROKERS) {
      const configs = componentFolder(broker).filter(({ doc }) => doc.kind === 'Configuration');
      expect(configs.map(({ doc }) => doc.metadata.name)).toEqual([values.dapr.config]);
    }
  });
});

describe.each(BROKERS)('components/%s', (broker) => {
  const docs = () => componentFolder(broker).map(({ doc }) => doc);
  const pubsub = () => docs().find((d) => d.kind === 'Component' && d.metadata.name === PUBSUB_NAME)!;
  const meta = (name: string) => pubsub().spec.metadata.find((m: { name: string }) => m.name === name)?.value as string;

  it('scope the pub/sub component to the five apps', () => {
    expect(pubsub()).toBeDefined();
    expect(pubsub().spec.type).toBe(`pubsub.${broker}`);
    expect(sorted(pubsub().scopes)).toEqual(sorted(SERVICE_NAMES));
  });

  it('let each app publish only its own topics and subscribe only to what it consumes', () => {
    const publishing = parseScopes(meta('publishingScopes'));
    const subscription = parseScopes(meta('subscriptionScopes'));
    for (const name of SERVICE_NAMES) {
      expect({ name, publishes: sorted(publishing[name] ?? []) }).toEqual({
        name,
        publishes: sorted(SERVICES[name]!.publishes),
      });
      expect({ name, subscribes: sorted(subscription[name] ?? []) }).toEqual({
        name,
        subscribes: sorted(SERVICES[name]!.subscribes),
      });
    }
    expect(sorted(Object.keys(publishing))).toEqual(sorted(SERVICE_NAMES));
    // The local Kafka's topics are created before any sidecar starts (runner/infra.ts): all of them.
    expect(sorted(allTopics())).toEqual(sorted(new Set(Object.values(subscription).flat())));
  });

  it('read the broker address from the sidecar environment the chart sets', () => {
    const variable = broker === 'kafka' ? 'KAFKA_BROKERS' : 'RABBITMQ_URL';
    const addressKey = broker === 'kafka' ? 'brokers' : 'connectionString';
    expect(pubsub().spec.metadata.find((m: { name: string }) => m.name === addressKey)).toEqual({ name: addressKey, envRef: variable });
  });

  it.each([PUBSUB_NAME, BROADCAST_PUBSUB_NAME])(
    'give %s a timeout and retries in each direction, a circuit breaker on publishing only, and retry deliveries without end',
    (component) => {
      const resiliency = docs().find((d) => d.kind === 'Resiliency')!;
      const { policies } = resiliency.spec;
      const target = resiliency.spec.targets.components[component];
      for (const direction of ['inbound', 'outbound'] as const) {
        expect(policies.timeouts[target[direction].timeout]).toMatch(/^\d+s$/);
        expect(policies.retries[target[direction].retry]).toBeDefined();
      }
      expect(policies.circuitBreakers[target.outbound.circuitBreaker]).toBeDefined();
      // An outage, however long, must not turn events into dead letters: only DROP does. Dapr
      // dead-letters a delivery whose breaker is open, so deliveries have none (the fault suite,
      // scripts/src/faults/run.ts, found it: kill -9 of payment, then a busy redelivery loop).
      expect(target.inbound.circuitBreaker).toBeUndefined();
      expect(policies.retries[target.inbound.retry].maxRetries).toBe(-1);
      expect(policies.retries[target.outbound.retry].maxRetries).toBeGreaterThan(0);
    },
  );

  it('trace every request', () => {
    const configuration = docs().find((d) => d.kind === 'Configuration')!;
    expect(configuration.spec.tracing.samplingRate).toBe('1');
    expect(configuration.spec.metric.enabled).toBe(true);
  });

  it('deny Dapr service invocation between the apps: they talk through pub/sub only', () => {
    const configuration = docs().find((d) => d.kind === 'Configuration')!;
    expect(configuration.spec.accessControl).toEqual({ defaultAction: 'deny', trustDomain: 'public' });
  });
});

describe.each(BROKERS)('components/%s/pubsub-broadcast.yaml', (broker) => {
  const component = (name: string) =>
    componentFolder(broker)
      .map(({ doc }) => doc)
      .find((d) => d.kind === 'Component' && d.metadata.name === name)!;
  const meta = (name: string, key: string) => component(name).spec.metadata.find((m: { name: string }) => m.name === key);

  it('is loaded only by the broadcast apps, with their contract topics', () => {
    const broadcast = component(BROADCAST_PUBSUB_NAME);
    expect(broadcast.spec.type).toBe(`pubsub.${broker}`);
    expect(sorted(broadcast.scopes)).toEqual(sorted(BROADCAST_APPS));
    const publishing = parseScopes(meta(BROADCAST_PUBSUB_NAME, 'publishingScopes').value);
    const subscription = parseScopes(meta(BROADCAST_PUBSUB_NAME, 'subscriptionScopes').value);
    expect(sorted(Object.keys(publishing))).toEqual(sorted(BROADCAST_APPS));
    for (const name of BROADCAST_APPS) {
      expect(sorted(publishing[name]!)).toEqual(sorted(SERVICES[name]!.publishes));
      expect(sorted(subscription[name]!)).toEqual(sorted(SERVICES[name]!.subscribes));
    }
  });

  it('gives every replica a consumer group / queue of its own, from the broker address the chart sets', () => {
    const [addressKey, variable, consumerKey] =
      broker === 'kafka' ? ['brokers', 'KAFKA_BROKERS', 'consumerGroup'] : ['connectionString', 'RABBITMQ_URL', 'consumerID'];
    expect(meta(BROADCAST_PUBSUB_NAME, addressKey)).toEqual({
      name: addressKey,
      envRef: variable,
    });
    // daprd replaces {podName} with the pod's name: one group per replica that outlives a
    // sidecar restart; {appID} would be shared, and {uuid} would start a new one at each restart.
    expect(meta(BROADCAST_PUBSUB_NAME, consumerKey).value).toBe('notification-{podName}');
  });

  if (broker === 'kafka') {
    it('starts a new replica at the head of each topic', () => {
      expect(meta(BROADCAST_PUBSUB_NAME, 'initialOffset').value).toBe('newest');
    });
  } else {
    it('declares the exchanges as the shared component does (RabbitMQ refuses a redeclare with other flags), bounding each queue', () => {
      for (const key of ['durable', 'deletedWhenUnused']) {
        expect({ key, value: meta(BROADCAST_PUBSUB_NAME, key).value }).toEqual({
          key,
          value: meta(PUBSUB_NAME, key).value,
        });
      }
      expect(Number(meta(BROADCAST_PUBSUB_NAME, 'maxLen').value)).toBeGreaterThan(0);
    });
  }
});

describe('the two broker folders', () => {
  it('declare the same kinds and names, so swapping the folder swaps only the broker', () => {
    const names = (broker: string) => sorted(componentFolder(broker).map(({ file, doc }) => `${file} ${doc.kind}/${doc.metadata.name}`));
    expect(names('kafka')).toEqual(names('rabbitmq'));
  });

  it('share the Configuration and the Resiliency word for word', () => {
    for (const file of ['configuration.yaml', 'resiliency.yaml']) {
      expect(read(`components/kafka/${file}`)).toBe(read(`components/rabbitmq/${file}`));
    }
  });
});

describe('skaffold.yaml', () => {
  const app = () => skaffold.find((c) => c.metadata.name === 'eventmart')!;
  const platform = () => skaffold.find((c) => c.metadata.name === 'eventmart-platform')!;

  it('builds one image per service, named as the chart values name it, from the one Dockerfile', () => {
    const artifacts = app().build.artifacts as {
      image: string;
      context: string;
      docker: { dockerfile: string; buildArgs: Record<string, string> };
    }[];
    expect(sorted(artifacts.map((a) => a.image))).toEqual(sorted(SERVICE_NAMES.map((n) => values.services[n].image.repository)));
    for (const a of artifacts) {
      const name = a.image.split('/').pop()!;
      expect({ image: a.image, dockerfile: a.docker.dockerfile, service: a.docker.buildArgs.SERVICE }).toEqual({
        image: a.image,
        dockerfile: DOCKERFILE,
        service: name,
      });
      expect(a.context).toBe('.');
    }
    expect(app().build.local.push).toBe(false);
  });

  it('hands each built image to the chart value of its service', () => {
    const release = app().deploy.helm.releases[0];
    expect(release.chartPath).toBe('charts/eventmart');
    for (const name of SERVICE_NAMES) {
      const key = values.services[name].image.repository.replace(/[^a-zA-Z0-9]/g, '_');
      expect(release.setValueTemplates[`services.${name}.image.repository`]).toBe(`{{.IMAGE_REPO_${key}}}`);
      expect(release.setValueTemplates[`services.${name}.image.tag`]).toBe(`{{.IMAGE_TAG_${key}}}`);
    }
  });

  it('has the profiles kafka, rabbitmq and local-images in both configs', () => {
    for (const config of [platform(), app()]) {
      expect(sorted(config.profiles.map((p: { name: string }) => p.name))).toEqual(sorted([...BROKERS, LOCAL_PROFILE]));
    }
  });

  it('deploys with each broker profile its components and its platform kustomization, Kafka by default', () => {
    const kafka = platform().profiles.find((p: Manifest) => p.name === 'kafka');
    expect(platform().manifests).toEqual(kafka.manifests);
    for (const broker of BROKERS) {
      const { manifests } = platform().profiles.find((p: { name: string }) => p.name === broker);
      expect(manifests).toEqual({ rawYaml: [`components/${broker}/*.yaml`], kustomize: { paths: [PLATFORM_PATH(broker)] } });
      const named = [...manifests.rawYaml, ...manifests.kustomize.paths] as string[];
      expect(named.filter((g) => BROKERS.some((b) => b !== broker && g.includes(b)))).toEqual([]);
      const patch = app().profiles.find((p: { name: string }) => p.name === broker).patches[0];
      expect(patch).toEqual({
        op: 'replace',
        path: '/deploy/helm/releases/0/setValues/broker',
        value: broker,
      });
    }
    expect(app().deploy.helm.releases[0].setValues.broker).toBe('kafka');
  });

  it('expands the kustomize path into a platform kustomization for both image variants', () => {
    for (const broker of BROKERS) {
      for (const variant of PLATFORM_VARIANTS) {
        // What skaffold's template does with EVENTMART_IMAGES unset (upstream) or set to local.
        const path = PLATFORM_PATH(broker).replace(/\{\{[^}]*\}\}/, variant === 'local' ? 'local' : 'upstream');
        expect(path).toBe(platformDir(broker, variant));
        expect({ path, exists: existsSync(join(ROOT, path, 'kustomization.yaml')) }).toEqual({ path, exists: true });
      }
    }
  });

  it('switches to the local images with EVENTMART_IMAGES=local: the Dapr chart and images, the Node image, FerretDB', () => {
    expect(localImagesProblems(skaffold)).toEqual([]);
  });

  it.each([
    ['another activation', 'env: EVENTMART_IMAGES=local', 'env: EVENTMART_IMAGES=offline', /activation/],
    ['another Dapr tag', 'value: "1.18.1"', 'value: "1.18.0"', /Dapr tag 1\.18\.0, want 1\.18\.1/],
    ['another Dapr registry', 'value: eventmart.local/dapr', 'value: docker.io/daprio', /Dapr registry/],
    [
      'an artifact without the Node image',
      'path: /build/artifacts/4/docker/buildArgs',
      'path: /build/artifacts/3/docker/buildArgs',
      /eventmart\/notification: NODE_IMAGE undefined/,
    ],
    ['the connection string of MongoDB, not FerretDB', 'value: ferretdb', 'value: mongodb', /credentials database mongodb/],
    [
      'a patch of a path that is not there',
      'path: /deploy/helm/releases/0/remoteChart',
      'path: /deploy/helm/releases/0/remoteCharts',
      /remove .*nothing there/,
    ],
  ])('catches a local-images profile with %s', (_what, from: string | RegExp, to, message) => {
    const text = read('skaffold.yaml');
    expect(text).toMatch(from);
    expect(localImagesProblems(parseManifests(text.replace(from, to))).join('\n')).toMatch(message);
  });

  it('gives NODE_IMAGE to Dockerfiles that build from it', () => {
    for (const a of app().build.artifacts as { docker: { dockerfile: string } }[]) {
      const text = read(a.docker.dockerfile);
      expect({ file: a.docker.dockerfile, declares: /^ARG NODE_IMAGE=/m.test(text), uses: /^FROM \$\{NODE_IMAGE\}/m.test(text) }).toEqual({
        file: a.docker.dockerfile,
        declares: true,
        uses: true,
      });
    }
  });

  it('forwards the page and the order API', () => {
    const forwards = app().portForward.map((f: { resourceName: string; port: number }) => [f.resourceName, f.port]);
    expect(sorted(forwards.map(String))).toEqual(sorted(PUBLIC_SERVICES.map((n) => String([n, SERVICES[n]!.port]))));
  });
});

describe('the Dapr version', () => {
  it(`is ${DAPR_VERSION} everywhere`, () => {
    const release = skaffold.find((c) => c.metadata.name === 'eventmart-platform')!.deploy.helm.releases[0];
    expect({ chart: release.remoteChart, version: release.version }).toEqual({
      chart: 'dapr',
      version: DAPR_VERSION,
    });
    expect(parse(read('charts/eventmart/Chart.yaml')).annotations['eventmart.dev/dapr-version']).toBe(DAPR_VERSION);
    expect(scriptVar('DAPR_VERSION')).toBe(`v${DAPR_VERSION}`);
    // The local sidecar: the pinned version and the module the daprd wrapper builds from.
    expect(pinned('DAPR_VERSION')).toBe(DAPR_VERSION);
    // The control plane images built on the machine (profile local-images).
    const local = withLocalImages(skaffold).find((c) => c.metadata.name === 'eventmart-platform')!.deploy.helm.releases[0];
    expect(local.setValues['global.tag']).toBe(DAPR_VERSION);
    expect(read('scripts/toolchain/daprd/go.mod')).toMatch(new RegExp(`^\\s*github.com/dapr/dapr v${DAPR_VERSION}$`, 'm'));
  });
});

describe('k8s/platform/', () => {
  it.each(BROKERS.flatMap((b) => PLATFORM_VARIANTS.map((v) => [b, v] as const)))(
    '%s/%s puts its broker and exactly one database together',
    (broker, variant) => {
      expect(overlayProblems(broker, variant)).toEqual([]);
      expect(overlayParts(broker, variant)).toEqual([`k8s/${broker}`, `k8s/${DATABASES[variant]}`, 'k8s/jaeger']);
    },
  );

  it.each([
    ['the other broker too', (k: Manifest) => ({ ...k, resources: [...k.resources, '../../../rabbitmq'] }), /names the other broker: k8s\/rabbitmq/],
    ['both databases', (k: Manifest) => ({ ...k, resources: [...k.resources, '../../../mongodb'] }), /databases k8s\/ferretdb,k8s\/mongodb/],
    ['no database', (k: Manifest) => ({ ...k, resources: ['../../../kafka', '../../../jaeger'] }), /databases , want k8s\/ferretdb/],
    ['no trace backend', (k: Manifest) => ({ ...k, resources: ['../../../kafka', '../../../ferretdb'] }), /no k8s\/jaeger/],
    [
      "the other variant's database",
      (k: Manifest) => ({ ...k, resources: ['../../../kafka', '../../../mongodb', '../../../jaeger'] }),
      /databases k8s\/mongodb, want k8s\/ferretdb/,
    ],
  ])('catches a kustomization with %s', (_what, edit, message) => {
    const kustomization = readYaml(`${platformDir('kafka', 'local')}/kustomization.yaml`)[0]!;
    expect(overlayProblems('kafka', 'local', edit(kustomization)).join('\n')).toMatch(message);
  });

  it('gives each part of k8s/ a kustomization listing every manifest in its folder', () => {
    for (const part of [...BROKERS, ...Object.values(DATABASES)]) {
      const files = readdirSync(join(ROOT, 'k8s', part)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      expect({ part, resources: sorted(readYaml(`k8s/${part}/kustomization.yaml`)[0]!.resources) }).toEqual({ part, resources: sorted(files) });
    }
  });

  it('builds the local images at the versions the local runner pins', () => {
    for (const broker of BROKERS) {
      const images = readYaml(`${platformDir(broker, 'local')}/kustomization.yaml`)[0]!.images as { name: string; newName: string; newTag: string }[];
      const byName = Object.fromEntries(images.map((i) => [i.name, i]));
      expect(byName['ghcr.io/ferretdb/ferretdb']).toEqual({
        name: 'ghcr.io/ferretdb/ferretdb',
        newName: 'eventmart.local/ferretdb',
        newTag: pinned('FERRETDB_VERSION'),
      });
      if (broker === 'kafka')
        expect(byName['apache/kafka']).toEqual({ name: 'apache/kafka', newName: 'eventmart.local/kafka', newTag: pinned('KAFKA_VERSION') });
      expect(readYaml(`${platformDir(broker, 'upstream')}/kustomization.yaml`)[0]!.images).toBeUndefined();
    }
  });

  it('runs kube-router at the version scripts/cluster/kube-router.sh builds (images.sh tags it without the v)', () => {
    const version = /^KUBE_ROUTER_VERSION=v(\S+)$/m.exec(read('scripts/cluster/versions.sh'))![1]!;
    const daemonSet = readYaml('k8s/kube-router/kube-router.yaml').find((doc) => doc.kind === 'DaemonSet')!;
    expect(daemonSet.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([`eventmart.local/kube-router:${version}`]);
  });
});

describe('k8s/', () => {
  const manifests = () => ['k8s/kafka/kafka.yaml', 'k8s/rabbitmq/rabbitmq.yaml', 'k8s/mongodb/mongodb.yaml'].flatMap(readYaml);
  const ferretdb = () => readYaml('k8s/ferretdb/ferretdb.yaml');
  const byKind = (kind: string, name: string, from: Manifest[] = manifests()) => from.find((m) => m.kind === kind && m.metadata.name === name)!;
  const env = (set: Manifest) => Object.fromEntries(set.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));

  it('runs the Kafka version the local runner pins, with partitions for six consumer replicas', () => {
    const kafka = byKind('StatefulSet', 'kafka');
    const version = pinned('KAFKA_VERSION');
    expect(kafka.spec.template.spec.containers[0].image).toBe(`apache/kafka:${version}`);
    expect(Number(env(kafka).KAFKA_NUM_PARTITIONS)).toBeGreaterThanOrEqual(6);
    expect(values.defaults.keda.maxReplicas).toBeLessThanOrEqual(Number(env(kafka).KAFKA_NUM_PARTITIONS));
    // KRaft formats its storage only with a real cluster id: a UUID in base64url, 22 characters.
    expect(env(kafka).CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(env(kafka).CLUSTER_ID, 'base64url')).toHaveLength(16);
    // A Service named kafka would otherwise inject KAFKA_PORT, which the image turns into a setting.
    expect(kafka.spec.template.spec.enableServiceLinks).toBe(false);
  });

  it('serves the addresses the chart hands to sidecars and services', () => {
    const [host, port] = values.kafka.brokers.split(':');
    expect(byKind('Service', host).spec.ports[0].port).toBe(Number(port));
    const credentials = renderCredentials('mongodb');
    const mongo = new URL(secretValue(credentials, values.mongodb.urlSecret.name, values.mongodb.urlSecret.key));
    expect(byKind('Service', mongo.hostname).spec.ports[0].port).toBe(Number(mongo.port));
    expect(mongo.searchParams.get('replicaSet')).toBe('rs0');
    expect(byKind('StatefulSet', 'mongodb').spec.template.spec.containers[0].args).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    const rabbitmq = new URL(secretValue(credentials, values.rabbitmq.urlSecret.name, values.rabbitmq.urlSecret.key));
    expect(rabbitmq.protocol).toBe('amqp:');
    expect(rabbitmq.hostname).toBe('rabbitmq.default.svc.cluster.local');
    expect(rabbitmq.port).toBe('5672');
  });

  it('serves FerretDB at the address the local-images profile hands to the services', () => {
    const platform = withLocalImages(skaffold).find((c) => c.metadata.name === 'eventmart-platform')!;
    const database = platform.deploy.helm.releases.find((r: { name: string }) => r.name === 'eventmart-credentials').setValues.database;
    const url = new URL(secretValue(renderCredentials(database), values.mongodb.urlSecret.name, values.mongodb.urlSecret.key));
    expect(byKind('Service', url.hostname, ferretdb()).spec.ports[0].port).toBe(Number(url.port));
    // No replica set (FerretDB has none); FerretDB's login into PostgreSQL with the client's user.
    expect(url.searchParams.has('replicaSet')).toBe(false);
    expect(url.searchParams.get('authMechanism')).toBe('PLAIN');
    const set = byKind('StatefulSet', 'mongodb', ferretdb());
    expect(set.spec.template.spec.containers.map((c: { image: string }) => c.image)).toContain(`ghcr.io/ferretdb/ferretdb:${pinned('FERRETDB_VERSION')}`);
    // The same pod labels and port as MongoDB's, so the chart's NetworkPolicies let the services in.
    expect(set.spec.template.metadata.labels).toMatchObject(values.mongodbPod.podLabels);
    const ports = set.spec.template.spec.containers.flatMap((c: { ports?: { containerPort: number }[] }) => (c.ports ?? []).map((p) => p.containerPort));
    expect(ports).toEqual([values.mongodbPod.port]);
    // PostgreSQL only on the pod's loopback: nothing but FerretDB beside it reaches it.
    expect(set.spec.template.spec.containers.find((c: { name: string }) => c.name === 'postgres').args).toContain('listen_addresses=127.0.0.1');
  });

  it("gives the cluster's RabbitMQ the consumer_timeout the local runner's has, from a file in conf.d", () => {
    // `key = value` lines of a rabbitmq.conf, comments left out.
    const settings = (conf: string) =>
      Object.fromEntries(
        conf
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line && !line.startsWith('#'))
          .map((line) => line.split('=').map((part) => part.trim()) as [string, string]),
      );
    const cluster = settings(read('k8s/rabbitmq/eventmart.conf'));
    const local = settings(RABBITMQ_CONF);
    // The mitigation of stuck deliveries (eventmart.conf says why): the same in both, and short.
    expect(cluster.consumer_timeout).toBe(local.consumer_timeout);
    expect(Number(cluster.consumer_timeout)).toBeGreaterThan(0);
    expect(Number(cluster.consumer_timeout)).toBeLessThanOrEqual(5 * 60_000);
    // Whatever else the cluster sets, the local runner sets alike.
    for (const [key, value] of Object.entries(cluster)) expect({ key, value }).toEqual({ key, value: local[key] });
    // As kustomize renders it: the ConfigMap holds the file, the broker reads it from conf.d.
    for (const variant of PLATFORM_VARIANTS) {
      const rendered = parseManifests(kustomize(platformDir('rabbitmq', variant)));
      const map = rendered.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('rabbitmq-config'))!;
      expect(map.data['eventmart.conf']).toBe(read('k8s/rabbitmq/eventmart.conf'));
      const pod = rendered.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'rabbitmq')!.spec.template.spec;
      const volume = pod.volumes.find((v: any) => v.configMap?.name === map.metadata.name);
      const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name);
      expect(mount).toMatchObject({ mountPath: expect.stringMatching(/^\/etc\/rabbitmq\/conf\.d\/[^/]+\.conf$/), subPath: 'eventmart.conf' });
    }
  });

  it('labels the broker and database pods as the NetworkPolicies select them, on the ports they allow', () => {
    for (const [name, settings] of [
      ['kafka', values.kafka],
      ['rabbitmq', values.rabbitmq],
      ['mongodb', values.mongodbPod],
    ] as const) {
      const set = byKind('StatefulSet', name);
      expect(set.spec.template.metadata.labels).toMatchObject(settings.podLabels);
      expect(set.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort)).toContain(settings.port);
    }
  });

  it('maps the page, the order and payment APIs and the trace backend to the host on their ports', () => {
    const kind = readYaml('k8s/kind-config.yaml')[0]!;
    const mappings = kind.nodes[0].extraPortMappings as {
      containerPort: number;
      hostPort: number;
    }[];
    const jaeger = readYaml('k8s/jaeger/jaeger.yaml').find((m) => m.kind === 'Service')!;
    const query = (jaeger.spec.ports as { name: string; port: number; nodePort: number }[]).find((p) => p.name === 'query')!;
    expect(new URL(values.tracing.uiUrl).port).toBe(String(query.port));
    expect(sorted(mappings.map((m) => `${m.hostPort}->${m.containerPort}`))).toEqual(
      sorted([...PUBLIC_SERVICES.map((n) => `${SERVICES[n]!.port}->${values.services[n].nodePort}`), `${query.port}->${query.nodePort}`]),
    );
    expect(kind.nodes[0].image).toMatch(new RegExp(`^kindest/node:v${KUBERNETES_VERSION.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
  });
});

describe('the Dockerfile', () => {
  const text = read(DOCKERFILE);

  it('builds the service named by its SERVICE argument, after the dependency layers all five share', () => {
    expect(text).toMatch(/^ARG SERVICE$/m);
    expect(text).not.toMatch(/^ARG SERVICE=/m);
    // In each stage, npm ci comes before SERVICE is declared, so its layer does not depend on the service.
    const stages = text.split(/^(?=FROM )/m).slice(1);
    const installing = stages.filter((stage) => /^RUN npm ci/m.test(stage));
    expect(installing.length).toBe(2);
    for (const stage of installing) {
      const declared = stage.search(/^ARG SERVICE$/m);
      expect(declared === -1 || stage.search(/^RUN npm ci/m) < declared).toBe(true);
    }
    expect(text).toContain('COPY services/${SERVICE} services/${SERVICE}');
  });

  it('runs node directly as a non-root user, production dependencies only', () => {
    expect(text).toMatch(/^USER 10001:10001$/m);
    // node with the runner's flags (SERVICE_NODE_FLAGS), as dapr.yaml runs it too (dapr-run.test.ts).
    expect(text.split('\n')).toContain(`CMD ${JSON.stringify(['node', ...SERVICE_NODE_FLAGS, 'dist/main.js']).replaceAll('","', '", "')}`);
    // and each service's own npm start.
    for (const service of SERVICE_NAMES_RUN) {
      expect(JSON.parse(read(`services/${service}/package.json`)).scripts.start).toBe(['node', ...SERVICE_NODE_FLAGS, 'dist/main.js'].join(' '));
    }
    expect(text).toContain('npm ci --omit=dev');
    // Nested production dependencies (services/shared/node_modules/ajv) come along.
    expect(text).toMatch(/^COPY --from=prod-deps \/app\/services services$/m);
    const workspaces = JSON.parse(read('package.json')).workspaces as string[];
    for (const ws of workspaces) expect(text).toContain(`COPY services/${ws.split('/')[1]}/package.json`);
  });
});

describe('the services and the local runner', () => {
  // The contract takes its ports from the runner's table (contract.ts); what can still differ
  // is which services the runner starts, and the ports the services fall back on themselves.
  it("are the contract's, each listening by default on its port in the runner's table", () => {
    expect(sorted(SERVICE_NAMES_RUN)).toEqual(sorted(SERVICE_NAMES));
    for (const name of SERVICE_NAMES) {
      const spec = /baseConfigSpec\('([a-z]+)',\s*(\d+)\)/.exec(read(`services/${name}/src/config.ts`));
      expect({ name, spec: spec && [spec[1], Number(spec[2])] }).toEqual({ name, spec: [name, SERVICE_PORTS[name as ServiceName]] });
    }
  });

  it("give the page the order and payment APIs at the runner's ports by default", () => {
    const config = read('services/notification/src/config.ts');
    const fallback = (variable: string) => new RegExp(`\\['${variable}', str\\('([^']+)'\\)\\]`).exec(config)?.[1];
    expect({ order: fallback('ORDER_API_URL'), payment: fallback('PAYMENT_API_URL') }).toEqual({
      order: `http://localhost:${SERVICE_PORTS.order}`,
      payment: `http://localhost:${SERVICE_PORTS.payment}`,
    });
  });
});
