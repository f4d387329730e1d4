import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { CommunicationProtocolEnum, DaprClient } from '@dapr/dapr';
import { catalog, cloudEventType, deadLetterTopic, eventNameOf, validateEvent, type EventData, type EventName, type OutgoingEvent, topicsOf } from './events';
import { Counter, type Registry } from 'prom-client';
import { HttpError } from './errors';
import type { Logger } from './logger';
import { activeSpan, currentTraceparent, inSpan, SpanKind } from './tracing';

/** An event as a handler sees it: validated data, the stable id, the trace it belongs to. */
export interface InboundEvent<N extends EventName = EventName> {
  id: string;
  name: N;
  data: EventData<N>;
  traceparent: string | undefined;
}

export type EventHandlers = { [N in EventName]?: (event: InboundEvent<N>) => Promise<void> };

export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

/**
 * Runs one CloudEvent through the handlers and says what Dapr should do with it.
 * Success → SUCCESS; not in the catalog, not from the app its catalog entry names as producer
 * (the CloudEvent `source`), received on another topic than the catalog's, failing its schema,
 * or poisoned (the handler threw a client error of errors.ts, such as NotFoundError: the
 * event can never succeed) → DROP (Dapr moves it to the dead-letter topic); anything else (a
 * database outage) → RETRY. `topic` is where it arrived; a replayed dead letter passes where it had.
 */
export async function dispatch(handlers: EventHandlers, cloudEvent: unknown, log: Logger, topic?: string): Promise<DeliveryStatus> {
  const envelope = (cloudEvent ?? {}) as { type?: unknown; traceparent?: unknown };
  const name = eventNameOf(envelope.type) ?? 'unknown event';
  // The handling is a span of its own under the delivery: the sidecar's span, from the request's
  // traceparent; without a request span (HTTP not instrumented, a replay), the event's own.
  const parent = activeSpan() ? undefined : typeof envelope.traceparent === 'string' ? envelope.traceparent : null;
  return inSpan(`${name} process`, { kind: SpanKind.CONSUMER, parent, attributes: { 'messaging.destination.name': topic ?? '' } }, async () => {
    const status = await handle(handlers, cloudEvent, log, topic);
    activeSpan()?.setAttribute('eventmart.delivery.status', status);
    return status;
  });
}

async function handle(handlers: EventHandlers, cloudEvent: unknown, log: Logger, topic?: string): Promise<DeliveryStatus> {
  const envelope = (cloudEvent ?? {}) as { id?: unknown; type?: unknown; source?: unknown; data?: unknown; traceparent?: unknown };
  const id = typeof envelope.id === 'string' ? envelope.id : undefined;
  const name = eventNameOf(envelope.type);
  // What the handler appends belongs under this handling; without tracing, under the event's own trace.
  const traceparent = currentTraceparent() ?? (typeof envelope.traceparent === 'string' ? envelope.traceparent : undefined);
  const context = { eventId: id, type: envelope.type };
  if (!id || !name) {
    log.warn(context, 'event dropped: not a CloudEvent of the catalog');
    return 'DROP';
  }
  const handler = handlers[name] as ((event: InboundEvent) => Promise<void>) | undefined;
  if (!handler) return 'SUCCESS'; // a fact on a topic we read, but not one this service reacts to
  const entry = catalog[name];
  if (envelope.source !== entry.producer || (topic !== undefined && topic !== entry.topic)) {
    log.warn({ ...context, source: envelope.source, topic }, `event dropped: ${name} comes from ${entry.producer} on ${entry.topic} only`);
    return 'DROP';
  }
  const checked = validateEvent(name, envelope.data);
  if (!checked.ok) {
    log.warn({ ...context, reason: checked.reason }, 'event dropped: data does not match its schema');
    return 'DROP';
  }
  try {
    await handler({ id, name, data: checked.data, traceparent });
    log.debug(context, 'event handled');
    return 'SUCCESS';
  } catch (err) {
    // A client error can never succeed, except a lost race (409, 412): that one is tried again.
    if (err instanceof HttpError && err.status < 500 && err.status !== 409 && err.status !== 412) {
      log.warn({ ...context, reason: err.message }, 'event dropped: poisoned');
      return 'DROP';
    }
    log.error({ ...context, err }, 'event handling failed, will retry');
    return 'RETRY';
  }
}

export interface SubscriptionOptions {
  appId: string;
  pubsubName: string;
  /** When set, every call from the sidecar must carry it in `dapr-api-token`. */
  appApiToken: string | undefined;
  /** What the app handles: its topics are those that carry these events. */
  handlers: EventHandlers;
  /** Receives this app's dead letters (the events it dropped), so they can be listed and replayed. */
  onDeadLetter: (cloudEvent: Record<string, unknown>) => Promise<void>;
  /** Told the outcome of every delivery and how long it took (for metrics). */
  onHandled?: (type: string, status: DeliveryStatus, seconds: number) => void;
  log: Logger;
}

/**
 * The subscriber side of Dapr pub/sub, served by Koa (not the SDK's DaprServer, which
 * brings its own Express and swallows handler errors): GET /dapr/subscribe lists the
 * topics, POST /events/<topic> receives them. Every reply sets a status: Koa's default
 * 404 would read to Dapr as "drop".
 */
export function subscriptionRoutes(options: SubscriptionOptions): Router {
  const { appId, pubsubName, appApiToken, handlers, onDeadLetter, onHandled, log } = options;
  const topics = topicsOf(Object.keys(handlers));
  const router = new Router();
  const deadLetters = deadLetterTopic(appId);

  router.use(async (ctx, next) => {
    if (appApiToken && !sameSecret(ctx.get('dapr-api-token'), appApiToken)) {
      ctx.status = 401;
      ctx.body = { error: { code: 'UNAUTHORIZED', message: 'missing or wrong dapr-api-token' } };
      return;
    }
    await next();
  });

  router.get('/dapr/subscribe', (ctx) => {
    ctx.body = [
      ...topics.map((topic) => ({ pubsubname: pubsubName, topic, route: `/events/${topic}`, deadLetterTopic: deadLetters })),
      { pubsubname: pubsubName, topic: deadLetters, route: '/events/deadletter' },
    ];
  });

  for (const topic of topics) {
    router.post(`/events/${topic}`, async (ctx) => {
      const started = performance.now();
      const status = await dispatch(handlers, ctx.request.body, log, topic);
      onHandled?.(String(eventNameOf((ctx.request.body as { type?: unknown } | undefined)?.type) ?? 'unknown'), status, (performance.now() - started) / 1000);
      ctx.status = 200;
      ctx.body = { status };
    });
  }

  router.post('/events/deadletter', async (ctx) => {
    ctx.status = 200;
    const cloudEvent: unknown = ctx.request.body;
    if (cloudEvent === null || typeof cloudEvent !== 'object' || Array.isArray(cloudEvent)) {
      // Dapr delivers every message as a JSON CloudEvent; this one could not be read (see http.ts).
      log.error('a dead letter that is not a JSON CloudEvent cannot be kept: dropped');
      ctx.body = { status: 'DROP' };
      return;
    }
    try {
      await onDeadLetter(cloudEvent as Record<string, unknown>);
      ctx.body = { status: 'SUCCESS' };
    } catch (err) {
      log.error({ err }, 'could not store a dead letter, will retry');
      ctx.body = { status: 'RETRY' };
    }
  });

  return router;
}

/** Compares secrets in constant time, so a caller cannot guess the token byte by byte. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Publisher {
  /** Publishes through the sidecar, one after another; resolves once the broker has them all, throws at the first it has not. */
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}

export function createDaprClient(daprHttpPort: number, daprApiToken: string | undefined): DaprClient {
  return new DaprClient({
    daprHost: '127.0.0.1',
    daprPort: String(daprHttpPort),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    ...(daprApiToken ? { daprApiToken } : {}),
  });
}

export function createPublisher(client: DaprClient, pubsubName: string, source: string, metrics?: Registry): Publisher {
  const published =
    metrics &&
    new Counter({ name: 'eventmart_events_published_total', help: 'Events the broker took, by event type.', labelNames: ['type'], registers: [metrics] });
  return {
    async publish(events) {
      for (const event of events) {
        // The publish is the producer span of the event, under what caused it: the consumers' spans join it.
        const { traceparent } = event;
        await inSpan(`${event.name} publish`, { kind: SpanKind.PRODUCER, parent: traceparent ?? null, attributes: { 'messaging.message.id': event.id } }, () =>
          send(event, currentTraceparent() ?? traceparent),
        );
      }
    },
  };

  async function send(event: OutgoingEvent, traceparent: string | undefined): Promise<void> {
    const metadata: Record<string, string> = {
      'cloudevent.id': event.id,
      'cloudevent.type': cloudEventType(event.name),
      'cloudevent.source': source,
      partitionKey: event.key,
    };
    if (traceparent) metadata['cloudevent.traceparent'] = traceparent;
    // The SDK returns the error instead of throwing it (js-sdk #720): turn it back into a throw.
    const { error } = await client.pubsub.publish(pubsubName, catalog[event.name].topic, event.data, {
      contentType: 'application/json',
      metadata,
    });
    if (error) throw new Error(`publish ${event.name} ${event.id} failed: ${String(error)}`);
    published?.inc({ type: event.name });
  }
}
