import { buildOpenApiDocument, headerParam, queryParam, type OpenApiDocument, type Route } from '@eventmart/shared/openapi';
import { PAGE_FILES } from './page-routes';
import { FEED_EVENTS, feedEventSchema, pageConfigSchema, streamStatsSchema } from './schemas';

/** GET / and the page's script and style, as page-routes.ts serves them. */
function pageFileRoutes(): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(PAGE_FILES).map(([path, { file, type }]) => [
      `GET ${path}`,
      {
        operationId: `get${file.replace(/(?:^|\.)(\w)/g, (_, letter: string) => letter.toUpperCase())}`,
        summary: path === '/' ? 'The shop page.' : `The shop page's ${file}.`,
        responses: { 200: { description: file, contentType: type.split(';')[0]!, schema: { type: 'string' } } },
      },
    ]),
  );
}

/** The notification service's OpenAPI document: `npm run openapi` writes it to docs/openapi/notification.json; the service serves it at /openapi.json. */
export function buildOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({
    service: 'notification',
    port: 8080,
    description:
      'The shop page, and the live feed behind it: every customer-facing event, pushed to every open page over Server-Sent Events the moment it happens. Any replica serves any page; a page resumes from Last-Event-ID after a reconnect.',
    schemas: { FeedEvent: feedEventSchema },
    events: FEED_EVENTS,
    deadLetters: true,
    routes: {
      ...pageFileRoutes(),
      'GET /config.json': {
        operationId: 'getPageConfig',
        summary: 'Where the page reaches the order and payment APIs and the traces.',
        responses: { 200: { description: 'The URLs.', schema: pageConfigSchema } },
      },
      'GET /stream': {
        operationId: 'streamEvents',
        summary: 'Server-Sent Events: every customer-facing event, as it happens.',
        description:
          'First `retry: 1000`, then the recent events after Last-Event-ID (all that is kept, without it), then each new one: `id: <event id>`, `event: message`, `data: <FeedEvent as JSON>`, and a blank line. A `: keep-alive` comment comes when nothing else has for a while. A client that reads too slowly is cut off and resumes on reconnect.',
        parameters: [
          queryParam('orderId', { type: 'string' }, "Only this order's events."),
          headerParam('Last-Event-ID', { type: 'string' }, 'The id of the last event the page has: the stream resumes after it.'),
          queryParam('lastEventId', { type: 'string' }, 'The same, for a first connect (a browser sends the header only on a reconnect).'),
        ],
        responses: {
          200: {
            description: 'The stream (text/event-stream), open until the client leaves. Each data line is a FeedEvent (components/schemas/FeedEvent).',
            contentType: 'text/event-stream',
            schema: { type: 'string' },
          },
        },
        errors: { 503: { TOO_MANY_CLIENTS: 'this replica serves as many streams as it may: retry after Retry-After seconds' } },
      },
      'GET /stream/stats': {
        operationId: 'getStreamStats',
        summary: "This replica's streams: open, bytes pending, cut off, refused.",
        responses: { 200: { description: 'The counts.', schema: streamStatsSchema } },
      },
    },
  });
}
