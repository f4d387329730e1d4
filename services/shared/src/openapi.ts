import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import { bulkReplayRequestSchema, bulkReplayResultSchema, deadLetterPageSchema, replayRequestSchema, replayResultSchema } from './dead-letter-routes';
import { catalog } from './events/catalog';
import type { EventName } from './events';

/** A JSON Schema: OpenAPI 3.1 takes JSON Schema 2020-12 as it is. */
export type JsonSchema = object;
/** An OpenAPI 3.1 document as plain JSON; a real validator checks it in the tests. */
export type OpenApiDocument = Record<string, unknown>;

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

export interface Response {
  description: string;
  /** The body's schema; a JSON body unless `contentType` says otherwise. */
  schema?: JsonSchema;
  contentType?: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/** One route as a service describes it; `errors` are the codes of `{"error":{"code","message"}}` by status. */
export interface Route {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: readonly Parameter[];
  /** The JSON body: the very schema the route's bodyValidator checks it with. */
  body?: JsonSchema;
  responses: Record<number, Response>;
  errors?: Record<number, Record<string, string>>;
  /** The admin token (Authorization: Bearer) is required. */
  admin?: boolean;
}

/** What a service says of its public HTTP API; the routes every service has are added by buildOpenApiDocument. */
export interface ServiceApi {
  service: string;
  /** The local port (design.md), for `servers`. */
  port: number;
  description: string;
  /** By `METHOD /path/{param}`. */
  routes: Record<string, Route>;
  /** Named schemas, for `ref(name)`; the events named in `events` are added under their names. */
  schemas?: Record<string, JsonSchema>;
  events?: readonly EventName[];
  /** It consumes events, so it keeps dead letters and serves /deadletters. */
  deadLetters: boolean;
}

/** The body of every 4xx and 5xx answer (errors.ts, errorHandler). */
export const errorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'A stable UPPER_SNAKE name to branch on.' },
        message: { type: 'string', description: 'For people: says what was wrong.' },
      },
    },
  },
} as const;

/** A date and time as `new Date().toISOString()` writes it. */
export const dateTime = { type: 'string', format: 'date-time' } as const;

/** A string that is one of these names; the description says what each means. */
export function enumOf(meanings: Readonly<Record<string, string>>): JsonSchema {
  const described = Object.entries(meanings).map(([name, meaning]) => `${name}: ${meaning}`);
  return { type: 'string', enum: Object.keys(meanings), description: `${described.join('; ')}.` };
}

/** A reference to a named schema of the document: one of ServiceApi.schemas, an event's name, or Error. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

export const pathParam = (name: string, schema: JsonSchema, description: string): Parameter => ({ in: 'path', name, schema, description, required: true });
export const queryParam = (name: string, schema: JsonSchema, description: string, required = false): Parameter => ({
  in: 'query',
  name,
  schema,
  description,
  required,
});
export const headerParam = (name: string, schema: JsonSchema, description: string): Parameter => ({ in: 'header', name, schema, description });

const BODY_ERRORS = {
  400: { MALFORMED_REQUEST: 'the body is not JSON', VALIDATION_FAILED: 'the body does not fit the schema; the message names the field' },
  413: { PAYLOAD_TOO_LARGE: 'the body is over 256 kB' },
  415: { UNSUPPORTED_MEDIA_TYPE: 'the body is not application/json, or in a charset or encoding the service does not read' },
};

/** The routes of every service (health.ts, this file's own, and dead-letter-routes.ts for a consumer). */
function commonRoutes(deadLetters: boolean): Record<string, Route> {
  const routes: Record<string, Route> = {
    'GET /healthz': {
      operationId: 'getHealth',
      summary: 'Alive: answers while the process can, asking no dependency.',
      responses: { 200: { description: 'Alive.', schema: status('ok') } },
    },
    'GET /readyz': {
      operationId: 'getReadiness',
      summary: 'Ready for work: the database and the sidecar answer, and the service is not draining.',
      responses: { 200: { description: 'Ready.', schema: status('ready') } },
      errors: { 503: { NOT_READY: 'a dependency is down, or the service is draining' } },
    },
    'GET /metrics': {
      operationId: 'getMetrics',
      summary: "Prometheus metrics: Node's own and eventmart_* (README: Metrics).",
      responses: { 200: { description: 'The Prometheus text format.', contentType: 'text/plain', schema: { type: 'string' } } },
    },
    'GET /openapi.json': {
      operationId: 'getOpenApi',
      summary: 'This document.',
      responses: {
        200: {
          description: 'The OpenAPI 3.1 document of this service.',
          schema: {
            type: 'object',
            required: ['openapi', 'info', 'paths'],
            properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
          },
        },
      },
    },
  };
  if (!deadLetters) return routes;
  const auth = {
    401: { UNAUTHORIZED: 'no Authorization: Bearer <admin token>, or another token' },
    403: { ADMIN_DISABLED: 'the service has no ADMIN_TOKEN: dead letters are closed' },
  };
  const id = pathParam('id', { type: 'string', minLength: 1 }, 'The dead letter: the id of the CloudEvent that was dropped.');
  return {
    ...routes,
    'GET /deadletters': {
      operationId: 'listDeadLetters',
      summary: 'The events this service dropped, newest first, a page at a time (an operator tool: `npm run dlq`).',
      description:
        'A page holds at most `limit` letters and about 1 MB of their data (it ends before the letter that would go over, and always holds one): follow `next`. Waiting letters are kept until replayed; of the replayed, the newest 1000.',
      admin: true,
      parameters: [
        queryParam('after', { type: 'string', pattern: '\\|' }, 'The `next` cursor of the page before.'),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 9999 }, 'Letters per page: 1000 (the default) at most; more gives 1000.'),
        queryParam('state', { type: 'string', enum: ['waiting', 'replayed'] }, 'Only the letters waiting for an operator, or only those replayed.'),
      ],
      responses: { 200: { description: 'One page; `next` is there when more follow.', schema: ref('DeadLetterPage') } },
      errors: {
        400: { INVALID_LIMIT: 'limit is not 1 to 1000', INVALID_CURSOR: 'after is not a cursor', INVALID_STATE: 'state is not waiting or replayed' },
        ...auth,
      },
    },
    'POST /deadletters/replay': {
      operationId: 'replayDeadLetters',
      summary: 'Re-drives dead letters as received, in the order given, and answers how each went (after the cause was fixed).',
      description:
        'Each waiting one is replayed as POST /deadletters/{id}/replay would, recorded with `by`; one replayed already is FAILED ALREADY_REPLAYED (so a call sent twice replays nothing twice), and one that fails does not stop the others. A 500 (the database failed) may come after some were replayed: list them with ?state=replayed, or send the call again.',
      admin: true,
      body: bulkReplayRequestSchema,
      responses: { 200: { description: 'How each went: SUCCESS, or FAILED with the error its own replay would answer.', schema: bulkReplayResultSchema } },
      errors: auth,
    },
    'POST /deadletters/{id}/replay': {
      operationId: 'replayDeadLetter',
      summary: 'Runs a dead letter through the handlers again, with corrected `data` if given, and marks it replayed when they succeed.',
      description: 'A correction may mend an event, not change what it is about or what it costs: the order, the customer and every amount stay as received.',
      admin: true,
      parameters: [id],
      body: replayRequestSchema,
      responses: { 200: { description: 'Replayed: the handler answered SUCCESS.', schema: replayResultSchema } },
      errors: {
        400: { PROTECTED_FIELD_CHANGED: 'the correction changes the order, the customer or an amount' },
        ...auth,
        404: { DEAD_LETTER_NOT_FOUND: 'no dead letter with that id' },
        422: { REPLAY_FAILED: 'the handler did not answer SUCCESS' },
      },
    },
  };
}

function status(value: string): JsonSchema {
  return { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { const: value } } };
}

/**
 * The OpenAPI 3.1 document of a service's public HTTP API, built from the schemas its code
 * validates with: the service's own routes, then /healthz, /readyz, /metrics, /openapi.json
 * and, for a consumer of events, /deadletters. The sidecar's routes (/dapr/subscribe,
 * /events/<topic>) are Dapr's contract, not a public API, and stay out. Every error answer
 * names its codes; every route may answer 400 NUL_CHARACTER and 500 INTERNAL.
 */
export function buildOpenApiDocument(api: ServiceApi): OpenApiDocument {
  const routes = { ...api.routes, ...commonRoutes(api.deadLetters) };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, route] of Object.entries(routes)) {
    const [method, template] = key.split(' ') as [string, string];
    const declared = new Set((route.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
    const named = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    if (named.length !== declared.size || named.some((name) => !declared.has(name))) throw new Error(`${key}: declare exactly its path parameters`);
    (paths[template] ??= {})[method.toLowerCase()] = operation(route);
  }
  const schemas: Record<string, JsonSchema> = { Error: errorSchema, ...api.schemas };
  for (const name of api.events ?? []) schemas[name] = catalog[name].schema;
  if (api.deadLetters) schemas.DeadLetterPage = deadLetterPageSchema;
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: `Eventmart ${api.service} service`,
      version: '1.0.0',
      description: `${api.description}\n\nErrors are \`{"error": {"code": "UPPER_SNAKE", "message": "..."}}\`; an unknown path answers 404 ROUTE_NOT_FOUND, a known path with another method 405 METHOD_NOT_ALLOWED. Generated from services/${api.service}/src/http by \`npm run openapi\`: do not edit by hand.`,
    },
    servers: [{ url: `http://localhost:${api.port}`, description: '`npm start`' }],
    paths,
    components: {
      schemas,
      ...(api.deadLetters
        ? { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: "The service's ADMIN_TOKEN (README: dead letters)." } } }
        : {}),
    },
  };
}

function operation(route: Route): Record<string, unknown> {
  const errors: Record<number, Record<string, string>> = {};
  for (const [code, codes] of Object.entries({ ...(route.body ? BODY_ERRORS : {}), 500: { INTERNAL: 'an unexpected failure, logged; no details' } }))
    errors[Number(code)] = { ...codes };
  // Any route: a NUL in the path, query or body is refused before the route sees it (http.ts).
  errors[400] = { ...errors[400], NUL_CHARACTER: 'the path, query or body holds a NUL character (U+0000)' };
  for (const [code, codes] of Object.entries(route.errors ?? {})) errors[Number(code)] = { ...errors[Number(code)], ...codes };
  const responses: Record<string, unknown> = {};
  for (const [code, response] of Object.entries(route.responses)) responses[code] = toResponse(response);
  for (const [code, codes] of Object.entries(errors).sort(([a], [b]) => Number(a) - Number(b))) {
    const names = Object.keys(codes).sort();
    responses[code] = {
      description: names.map((name) => `${name}: ${codes[name]}`).join('; ') + '.',
      content: {
        'application/json': {
          schema: { allOf: [ref('Error')], type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: names } } } } },
        },
      },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.admin ? { security: [{ adminToken: [] }] } : {}),
    ...(route.parameters?.length ? { parameters: route.parameters.map((p) => ({ ...p, required: p.in === 'path' || p.required === true })) } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    responses,
  };
}

function toResponse({ description, schema, contentType = 'application/json', headers }: Response): Record<string, unknown> {
  return {
    description,
    ...(headers ? { headers } : {}),
    ...(schema ? { content: { [contentType]: { schema } } } : {}),
  };
}

/** GET /openapi.json: the service's document. */
export function openApiRoutes(document: OpenApiDocument): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  return router;
}

/** Where `npm run openapi` writes a service's document: docs/openapi/<service>.json. */
export function openApiFile(service: string): string {
  // From services/shared/src (ts-jest) or services/shared/dist (node) alike: three levels up is the repository.
  return join(__dirname, '..', '..', '..', 'docs', 'openapi', `${service}.json`);
}

export function renderOpenApi(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes the document of a service (its `src/write-openapi.ts`, run by `npm run openapi`). */
export function writeOpenApi(service: string, document: OpenApiDocument): void {
  const file = openApiFile(service);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderOpenApi(document));
  console.log(`wrote ${file}`);
}
