import Ajv, { type ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { catalog } from './catalog';
import { holdsNul } from '../validate';

export { catalog, address, quantity } from './catalog';

export type EventName = keyof typeof catalog;
export type EventData<N extends EventName> = FromSchema<(typeof catalog)[N]['schema']>;
export type Topic = (typeof catalog)[EventName]['topic'];

export const EVENT_NAMES = Object.keys(catalog) as EventName[];

/** The topics that carry these events: what a service subscribes to, derived from its handler map. */
export function topicsOf(names: Iterable<string>): Topic[] {
  return [...new Set([...names].map((name) => catalog[name as EventName].topic))];
}
/** Where a dropped event lands once Dapr re-publishes it: one topic per consuming app. */
export function deadLetterTopic(appId: string): string {
  return `deadletter-${appId}`;
}

/** Every topic the apps use: the catalog's, and each consumer's dead letters. */
export function allTopics(): string[] {
  const consumers = new Set(EVENT_NAMES.flatMap((name) => catalog[name].consumers as readonly string[]));
  return [...new Set(EVENT_NAMES.map((name) => catalog[name].topic as string)), ...[...consumers].map(deadLetterTopic)];
}

const TYPE_PATTERN = /^eventmart\.([a-z]+\.[a-z]+)\.v1$/;

/** The CloudEvent `type` of an event: `eventmart.order.placed.v1`. */
export function cloudEventType(name: EventName): string {
  return `eventmart.${name}.v1`;
}

/** The event name behind a CloudEvent `type`, or undefined when it is not in the catalog. */
export function eventNameOf(type: unknown): EventName | undefined {
  const match = typeof type === 'string' ? TYPE_PATTERN.exec(type) : null;
  const name = match?.[1];
  return name !== undefined && name in catalog ? (name as EventName) : undefined;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validators = new Map<EventName, ValidateFunction>(EVENT_NAMES.map((name) => [name, ajv.compile(catalog[name].schema as object)]));

/**
 * Checks `data` against the event's schema, then two rules a JSON Schema cannot state: no text
 * holds a NUL character (the database refuses one: the event could never be handled), and lines
 * name each sku once (stock is held per sku; two lines of one sku would merge into a hold no
 * event can carry). Returns a readable reason when it does not fit.
 */
export function validateEvent<N extends EventName>(name: N, data: unknown): { ok: true; data: EventData<N> } | { ok: false; reason: string } {
  const validate = validators.get(name)!;
  if (!validate(data)) {
    const [first] = validate.errors ?? [];
    return { ok: false, reason: first ? `${first.instancePath || '(root)'} ${first.message}` : 'invalid' };
  }
  if (holdsNul(data)) return { ok: false, reason: 'holds a NUL character (U+0000), which no field accepts' };
  const repeated = repeatedSku(data);
  if (repeated !== undefined) return { ok: false, reason: `/items name sku ${repeated} more than once` };
  return { ok: true, data: data as EventData<N> };
}

function repeatedSku(data: unknown): string | undefined {
  const items = (data as { items?: unknown }).items;
  if (!Array.isArray(items)) return undefined;
  const seen = new Set<string>();
  for (const { sku } of items as { sku: string }[]) {
    if (seen.has(sku)) return sku;
    seen.add(sku);
  }
  return undefined;
}

/**
 * An event on its way out: the id is chosen once and kept across re-publish. One object type
 * per event name (the union distributes), so a name always comes with its own data.
 */
export type OutgoingEvent<N extends EventName = EventName> = N extends EventName
  ? {
      id: string;
      name: N;
      /** The partition key: the order id, or the sku for products. */
      key: string;
      data: EventData<N>;
      /** The trace it was decided in: its publish span, and every consumer's, hang under it. */
      traceparent?: string;
    }
  : never;
