import { catalog } from './catalog';
import { cloudEventType, type EventName } from './index';

const SERVICES = ['order', 'payment', 'inventory', 'shipping', 'notification'] as const;

/**
 * The AsyncAPI 3.0 document of the whole catalog, built from the same schemas the code
 * validates with: channels are topics, messages are event types, and each service has a
 * send operation per topic it produces and a receive operation per topic it consumes.
 * `npm run asyncapi` writes it to docs/asyncapi.yaml; a test fails when that file is stale.
 */
export function buildAsyncApi(): Record<string, unknown> {
  const names = Object.keys(catalog) as EventName[];
  const topics = [...new Set(names.map((name) => catalog[name].topic))];
  const ref = (name: EventName) => ({ $ref: `#/channels/${catalog[name].topic}/messages/${name}` });

  const channels = Object.fromEntries(
    topics.map((topic) => [
      topic,
      {
        address: topic,
        description: `Partitioned by ${topic === 'products' ? 'sku' : 'order id'}.`,
        messages: Object.fromEntries(names.filter((n) => catalog[n].topic === topic).map((n) => [n, { $ref: `#/components/messages/${n}` }])),
      },
    ]),
  );

  const operations: Record<string, unknown> = {};
  for (const service of SERVICES) {
    for (const topic of topics) {
      const sent = names.filter((n) => catalog[n].topic === topic && catalog[n].producer === service);
      const received = names.filter((n) => catalog[n].topic === topic && (catalog[n].consumers as readonly string[]).includes(service));
      if (sent.length > 0)
        operations[`${service}.sends.${topic}`] = {
          action: 'send',
          channel: { $ref: `#/channels/${topic}` },
          summary: `${service} publishes to ${topic}.`,
          messages: sent.map(ref),
        };
      if (received.length > 0)
        operations[`${service}.receives.${topic}`] = {
          action: 'receive',
          channel: { $ref: `#/channels/${topic}` },
          summary: `${service} reacts to these on ${topic}.`,
          messages: received.map(ref),
        };
    }
  }

  const messages = Object.fromEntries(
    names.map((name) => [
      name,
      {
        name: cloudEventType(name),
        title: name,
        summary: catalog[name].summary,
        contentType: 'application/json',
        description: `Carried as the data of a CloudEvent 1.0 of type ${cloudEventType(name)}, made by the Dapr sidecar; the id is stable across re-publish.`,
        payload: catalog[name].schema,
      },
    ]),
  );

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Eventmart events',
      version: '1.0.0',
      description: 'Every event of Eventmart. Generated from services/shared/src/events/catalog.ts by `npm run asyncapi`: do not edit by hand.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
