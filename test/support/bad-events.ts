/**
 * Bad events generated from the event catalog with fast-check, each with the apps that must drop
 * it to their dead letters: data that breaks its schema, an event far over any event's size,
 * a NUL character in the data, a source that is not the event's producer, a topic that
 * is not the event's, a type outside the catalog. Each is published through the real sidecar of
 * the app that may publish on its topic, as a confused or hostile producer would.
 *
 * Not generated: a control character in the CloudEvent's id, type or source. daprd copies them
 * into the delivery's HTTP headers, Go refuses such a header, and daprd retries the delivery
 * without end, holding up what follows it (docs/consistency.md, "What a bad event does").
 */
import fc from 'fast-check';
import { catalog, cloudEventType, EVENT_NAMES, type EventName, type Topic, validateEvent } from '../../services/shared/src/events';
import { SERVICE_NAMES, type ServiceName } from '../../scripts/src/runner/ports';
import { invalidValue, validValue, type KnownValues, type Schema } from './fuzz';

export interface BadEvent {
  kind: string;
  /** The app whose sidecar publishes it: one allowed to publish on `topic`. */
  publisher: ServiceName;
  topic: Topic;
  id: string;
  type: string;
  source: string;
  data: unknown;
  /** The apps that must drop it (each to its own dead letters); none else may. */
  droppers: ServiceName[];
}

const TOPICS = [...new Set(EVENT_NAMES.map((name) => catalog[name].topic))];
/** Who may publish on a topic: the producer of its events. */
const publisherOf = (topic: Topic) => catalog[EVENT_NAMES.find((name) => catalog[name].topic === topic)!].producer as ServiceName;
/** Who reads a topic: the consumers of any event on it. */
const subscribersOf = (topic: Topic) =>
  SERVICE_NAMES.filter((app) => EVENT_NAMES.some((name) => catalog[name].topic === topic && (catalog[name].consumers as readonly string[]).includes(app)));
const consumersOf = (name: EventName) => [...catalog[name].consumers] as ServiceName[];
const schemaOf = (name: EventName) => catalog[name].schema as unknown as Schema;

/** `data` with its first text field (every event has one: an id) set to `text`. */
function withText(data: Record<string, unknown>, text: string): Record<string, unknown> {
  const [field] = Object.entries(data).find(([, v]) => typeof v === 'string')!;
  return { ...data, [field]: text };
}

/** Bad events; `known` puts the ids whose state the test watches into the data that is otherwise valid. */
export function badEvents(known: KnownValues): fc.Arbitrary<Omit<BadEvent, 'id'>> {
  const name = fc.constantFrom(...EVENT_NAMES);
  const valid = (n: EventName) => validValue(schemaOf(n), known) as Record<string, unknown>;
  const asPublished = (n: EventName, data: unknown, droppers = consumersOf(n)) => {
    const topic = catalog[n].topic;
    return { publisher: publisherOf(topic), topic, type: cloudEventType(n), source: catalog[n].producer as string, data, droppers };
  };
  return fc
    .oneof(
      name.chain((n) =>
        invalidValue(schemaOf(n))
          .filter((data) => !validateEvent(n, data).ok)
          .map((data) => ({ kind: 'schema-invalid', ...asPublished(n, data) })),
      ),
      fc
        .tuple(name, fc.integer({ min: 300_000, max: 600_000 }))
        .map(([n, size]) => ({ kind: 'oversized', ...asPublished(n, withText(valid(n), 'x'.repeat(size))) })),
      name.map((n) => ({ kind: 'NUL in data', ...asPublished(n, withText(valid(n), 'A\u0000')) })),
      fc
        .tuple(name, fc.constantFrom<string>(...SERVICE_NAMES, 'stranger'))
        .filter(([n, source]) => source !== catalog[n].producer)
        .map(([n, source]) => ({ kind: 'wrong source', ...asPublished(n, valid(n)), source })),
      fc
        .tuple(name, fc.constantFrom(...TOPICS))
        .filter(([n, topic]) => topic !== catalog[n].topic)
        .map(([n, topic]) => ({
          kind: 'wrong topic',
          ...asPublished(n, valid(n)),
          topic,
          publisher: publisherOf(topic),
          droppers: consumersOf(n).filter((app) => subscribersOf(topic).includes(app)),
        })),
      fc
        .tuple(fc.constantFrom(...TOPICS), fc.string({ minLength: 1, maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }))
        .filter(([, type]) => type.trim() === type && !/^eventmart\.[a-z]+\.[a-z]+\.v1$/.test(type))
        .map(([topic, type, data]) => ({
          kind: 'unknown type',
          publisher: publisherOf(topic),
          topic,
          type,
          source: publisherOf(topic),
          data,
          droppers: subscribersOf(topic),
        })),
    )
    .filter((event) => event.droppers.length > 0); // an event no app reads would prove nothing
}
