import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Koa from 'koa';
import type Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { errorHandler, HttpError, ValidationError } from './errors';
import { healthRoutes, type Readiness } from './health';
import { deadLetterRoutes } from './dead-letter-routes';
import type { DeadLetterStore } from './dead-letter-store';
import { sameSecret, subscriptionRoutes, type EventHandlers } from './pubsub';
import type { Logger } from './logger';
import { activeSpan } from './tracing';
import { openApiRoutes, type OpenApiDocument } from './openapi';
import { holdsNul } from './validate';

export interface ServiceAppDeps {
  log: Logger;
  readiness: Readiness;
  metrics: Registry;
  /** Present for a service that consumes events. */
  events?: {
    appId: string;
    pubsubName: string;
    appApiToken: string | undefined;
    /** The operator's token for /deadletters; undefined closes them. */
    adminToken: string | undefined;
    /** Its subscriptions: the topics of the events it handles. */
    handlers: EventHandlers;
    deadLetters: DeadLetterStore;
  };
}

export interface ServiceRoutes {
  /** The service's own routers. */
  routers: readonly Router[];
  /** Its OpenAPI document (its http/openapi.ts), served at GET /openapi.json. */
  openApi: OpenApiDocument;
  /** Goes before all the rest: CORS, so that preflights and error replies carry its headers too. */
  first?: readonly Koa.Middleware[];
}

/**
 * The Koa app every service is: one error handler, JSON bodies (including the sidecar's
 * application/cloudevents+json), health, its OpenAPI document, the Dapr subscription routes
 * and dead letters, then the service's own routers. It never listens: main() does.
 */
export function createServiceApp(deps: ServiceAppDeps, { routers, openApi, first = [] }: ServiceRoutes): Koa {
  const { log, readiness, metrics, events } = deps;
  const app = new Koa();
  app.silent = true; // errors are logged once, by errorHandler
  for (const middleware of first) app.use(middleware);
  app.use(nameServerSpan);
  app.use(errorHandler(log));
  const json = {
    enableTypes: ['json' as const],
    // The parser merges this list into its defaults index by index (lodash.merge), so
    // application/json must stay first or it is replaced.
    extendTypes: { json: ['application/json', 'application/cloudevents+json'] },
    encoding: 'utf-8',
  };
  const parseRequest = bodyParser({ ...json, jsonLimit: '256kb' });
  // The sidecar's deliveries (its token checked here, before reading) are read up to the 4 MB a sidecar lets a publish be (daprd's
  // default), so that an oversized event is read, dropped by dispatch and dead-lettered whole;
  // one that cannot be read at all reaches dispatch without a body and is dropped. Never a 4xx:
  // Dapr would redeliver it without end.
  const parseDelivery = bodyParser({
    ...json,
    jsonLimit: '4mb',
    onError: (err, ctx) => log.warn({ err, path: ctx.path }, 'an event delivery that is not JSON or over 4 MB'),
  });
  const fromSidecar = (ctx: Koa.Context) =>
    events !== undefined && ctx.path.startsWith('/events/') && (!events.appApiToken || sameSecret(ctx.get('dapr-api-token'), events.appApiToken));
  app.use((ctx, next) => (fromSidecar(ctx) ? parseDelivery(ctx, next) : parseRequest(ctx, next)));
  app.use(refuseNonJson);
  app.use(refuseNul);
  const all = [healthRoutes(readiness, metrics), openApiRoutes(openApi), ...routers];
  if (events) {
    const onDeadLetter = (cloudEvent: Record<string, unknown>) => events.deadLetters.record(cloudEvent);
    const handled = new Counter({
      name: 'eventmart_events_handled_total',
      help: 'Events delivered by the sidecar, by event type and the answer given (SUCCESS, RETRY, DROP).',
      labelNames: ['type', 'status'],
      registers: [metrics],
    });
    const duration = new Histogram({
      name: 'eventmart_event_handling_seconds',
      help: 'Time from delivery to answer, by event type and answer.',
      labelNames: ['type', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics],
    });
    const onHandled = (type: string, status: string, seconds: number) => {
      handled.inc({ type, status });
      duration.observe({ type, status }, seconds);
    };
    new Gauge({
      name: 'eventmart_dead_letters',
      help: 'Dead letters stored: waiting for an operator, or replayed.',
      labelNames: ['state'],
      registers: [metrics],
      async collect() {
        // A scrape during a database outage keeps the last values rather than failing.
        const counts = await events.deadLetters.count().catch(() => undefined);
        if (counts) for (const [state, value] of Object.entries(counts)) this.set({ state }, value);
      },
    });
    all.push(subscriptionRoutes({ ...events, onDeadLetter, onHandled, log }), deadLetterRoutes(events.deadLetters, events.handlers, events.adminToken, log));
  }
  for (const router of all) app.use(router.routes()).use(router.allowedMethods());
  return app;
}

/**
 * The server's 'clientError' listener. Node's HTTP parser refuses some requests before Koa sees
 * them (a request line and headers past its 16 KB limit, bytes that are not HTTP) and by default
 * answers with an empty body: this gives them the `{"error":{"code","message"}}` of every other
 * refusal.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request line and headers are larger than the server accepts']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time']
        : [400, 'MALFORMED_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Every body the API reads is JSON: a request with a body of another type is refused, before a
 * route could take it for no body at all (the replay of a dead letter has an optional one) and
 * answer as if it had not been sent. Event deliveries are judged by dispatch.
 */
const refuseNonJson: Koa.Middleware = async (ctx, next) => {
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(ctx.method) && (ctx.request.length ?? (ctx.get('Transfer-Encoding') ? Infinity : 0)) > 0;
  if (!ctx.path.startsWith('/events/') && hasBody && !ctx.is('application/json'))
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `the body must be application/json, not ${ctx.get('Content-Type') || 'untyped'}`);
  await next();
};

/**
 * No id or text here holds a NUL character, and PostgreSQL (under FerretDB) fails on one in a
 * query or a document: a request with one in its path, query or JSON body is refused whole,
 * before a route or a store sees it. Event deliveries (`/events/…`) are the sidecar's, judged
 * by dispatch against their schemas, and answered 200.
 */
const refuseNul: Koa.Middleware = async (ctx, next) => {
  if (!ctx.path.startsWith('/events/') && (/%00/i.test(ctx.path) || holdsNul(ctx.query) || holdsNul(ctx.request.body)))
    throw new ValidationError('NUL_CHARACTER', 'the request holds a NUL character (U+0000), which no field accepts');
  await next();
};

/** Names the request's span by its route (`POST /orders/:id/cancel`), as a trace view shows it. */
const nameServerSpan: Koa.Middleware = async (ctx, next) => {
  await next();
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') activeSpan()?.updateName(`${ctx.method} ${route}`).setAttribute('http.route', route);
};

// The parsed JSON body, as the body parser leaves it. Declared here so that every
// service that imports this package sees it; handlers validate it before use.
declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
