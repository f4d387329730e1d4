// Helpers for the OpenAPI tests of every service: the real validator, the routes an app
// serves, and real requests whose answers are checked against the document.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type Koa from 'koa';
import type Router from '@koa/router';
import { Registry } from 'prom-client';
import { deadLetterOf, type DeadLetter, type DeadLetterStore } from '@eventmart/shared/dead-letter-store';
import type { ServiceAppDeps } from '@eventmart/shared/http';
import { createLogger } from '@eventmart/shared/logger';
import { openApiFile, renderOpenApi, type OpenApiDocument } from '@eventmart/shared/openapi';
import type { EventHandlers } from '@eventmart/shared/pubsub';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * What @seriousme/openapi-schema-validator says of a document (the OpenAPI 3.1 schema of
 * the specification). It is ESM only, which Jest's module loader cannot load: it runs in a
 * node of its own.
 */
export function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const script = [
    "import { Validator } from '@seriousme/openapi-schema-validator';",
    "let input = '';",
    'for await (const chunk of process.stdin) input += chunk;',
    'process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(input))));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(document) });
  return JSON.parse(out.toString()) as { valid: boolean; errors?: unknown };
}

/** An Ajv for JSON Schema 2020-12 that knows the document, so that its `$ref`s resolve. */
function ajvFor(document: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // The document's own fields are not schema keywords: known, and not walked into.
  ajv.addVocabulary(Object.keys(document).filter((key) => key !== '$schema'));
  ajv.addSchema(document, 'openapi.json');
  return ajv;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

type Operations = Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }>; requestBody?: unknown }>>;

/** Every schema in the document, compiled in strict mode: each is valid 2020-12 and its `$ref`s resolve. */
export function compileEverySchema(document: OpenApiDocument): number {
  const ajv = ajvFor(document);
  let compiled = 0;
  const compile = (...parts: string[]) => {
    ajv.compile({ $ref: `openapi.json#/${pointer(...parts)}` });
    compiled++;
  };
  for (const name of Object.keys((document.components as { schemas: object }).schemas)) compile('components', 'schemas', name);
  for (const [template, item] of Object.entries(document.paths as Operations)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.requestBody) compile('paths', template, method, 'requestBody', 'content', 'application/json', 'schema');
      for (const [status, response] of Object.entries(operation.responses))
        for (const type of Object.keys(response.content ?? {})) compile('paths', template, method, 'responses', status, 'content', type, 'schema');
    }
  }
  return compiled;
}

/** `GET /orders/{orderId}` for each route the app serves, leaving out the sidecar's (/dapr/subscribe, /events/<topic>). */
export function servedRoutes(app: Koa): string[] {
  const routes = new Set<string>();
  for (const middleware of app.middleware as Array<Koa.Middleware & { router?: Router }>) {
    for (const layer of middleware.router?.stack ?? []) {
      const template = String(layer.path)
        .replace(/:(\w+)/g, '{$1}')
        .replace(/(.)\/$/, '$1');
      if (/^\/(dapr|events)\//.test(template)) continue;
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${template}`);
    }
  }
  return [...routes].sort();
}

export function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths as Operations)
    .flatMap(([template, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${template}`))
    .sort();
}

/**
 * The tests every service's document passes: it is the checked-in file, a real validator
 * takes it, its schemas compile, it has exactly the app's routes, and its server is the
 * service's default port.
 */
export function describeOpenApi(service: string, build: () => OpenApiDocument, createApp: () => Koa, defaultPort: number): void {
  describe(`the ${service} service's OpenAPI document`, () => {
    const document = build();

    test(`docs/openapi/${service}.json is what it generates (run \`npm run openapi\` after changing a route or a schema)`, () => {
      expect(readFileSync(openApiFile(service), 'utf8')).toBe(renderOpenApi(document));
    });

    test('is valid OpenAPI 3.1 to @seriousme/openapi-schema-validator, and each of its schemas compiles as JSON Schema 2020-12', () => {
      expect(validateOpenApi(document)).toEqual({ valid: true });
      expect(compileEverySchema(document)).toBeGreaterThan(10);
    });

    test('documents every route the app serves, and no other', () => {
      expect(documentedRoutes(document)).toEqual(servedRoutes(createApp()));
    });

    test("points at the service's default port", () => {
      expect((document.servers as Array<{ url: string }>)[0]!.url).toBe(`http://localhost:${defaultPort}`);
    });
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * The app on a free port, and `call`, which makes a real request and checks the answer
 * against the document: the operation is documented, and so is the status, the media type
 * and (for JSON) the body. `uncovered()` lists the operations not yet answered with a 2xx, or
 * with a 4xx when they document one.
 */
export async function serveDocumented(app: Koa, document: OpenApiDocument) {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ajv = ajvFor(document);
  const validators = new Map<string, ValidateFunction>();
  const operations = Object.entries(document.paths as Operations).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${template}`,
      method: method.toUpperCase(),
      template,
      // A literal segment beats a parameter: /stream/stats is not /stream/{x}.
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
      operation,
    })),
  );
  const answered = new Map<string, Set<number>>(operations.map(({ key }) => [key, new Set()]));

  // Every operation refuses a NUL in its query with the documented 400 NUL_CHARACTER (http.ts),
  // before it does anything else; so its own 4xx are still asked of the test below.
  for (const { key, method, template } of operations) {
    const response = await fetch(`${base}${template.replace(/\{\w+\}/g, 'x')}?nul=%00`, { method });
    const text = await response.text();
    if (response.status !== 400 || !text.includes('"NUL_CHARACTER"')) throw new Error(`${key} does not refuse a NUL: ${response.status} ${text.slice(0, 200)}`);
  }

  async function call(method: string, path: string, { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const parsed: unknown = type === 'application/json' ? JSON.parse(text) : text;
    const pathname = new URL(path, base).pathname;
    const found = operations.filter((o) => o.method === method && o.pattern.test(pathname)).sort((a, b) => a.params - b.params)[0];
    if (!found) throw new Error(`${method} ${pathname} is not documented`);
    const documented = found.operation.responses[String(response.status)];
    if (!documented) throw new Error(`${found.key} answered ${response.status}, which it does not document: ${text.slice(0, 300)}`);
    if (!documented.content?.[type]) throw new Error(`${found.key} answered ${response.status} as ${type}, not as documented`);
    if (type === 'application/json') {
      const at = `openapi.json#/${pointer('paths', found.template, method.toLowerCase(), 'responses', String(response.status), 'content', type, 'schema')}`;
      let validate = validators.get(at);
      if (!validate) validators.set(at, (validate = ajv.compile({ $ref: at })));
      if (!validate(parsed))
        throw new Error(`${found.key} ${response.status}: the body does not fit the document: ${ajv.errorsText(validate.errors)}\n${text}`);
    }
    answered.get(found.key)!.add(response.status);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** The error codes a documented error response names. */
  const ownCodes = (response: unknown): string[] =>
    (response as { content?: Record<string, { schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } }> }).content?.[
      'application/json'
    ]?.schema?.properties?.error?.properties?.code?.enum ?? [];

  /** Operations not yet answered with a 2xx, or with a 4xx when they document one. */
  function uncovered(): string[] {
    return operations.flatMap(({ key, operation }) => {
      const seen = [...answered.get(key)!];
      const missing = [];
      if (!seen.some((s) => s < 300)) missing.push(`${key}: no 2xx`);
      // A 4xx of its own: any besides the 400 NUL_CHARACTER every operation documents.
      const own = Object.entries(operation.responses).some(([s, r]) => s.startsWith('4') && !(s === '400' && ownCodes(r).every((c) => c === 'NUL_CHARACTER')));
      if (own && !seen.some((s) => s >= 400 && s < 500)) missing.push(`${key}: no 4xx`);
      return missing;
    });
  }

  /** Throws unless the value fits the document's named schema (for what `call` cannot read: a stream's frames). */
  function expectSchema(name: string, value: unknown): void {
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`) ?? ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
    if (!validate(value)) throw new Error(`does not fit ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
  }

  /** Records that an operation answered, for one checked outside `call` (a stream). */
  function answeredWith(key: string, status: number): void {
    answered.get(key)!.add(status);
  }

  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { base, call, uncovered, expectSchema, answeredWith, close };
}

export const ADMIN_TOKEN = 'admin-token';

/** Dead letters in memory, with the contract of the MongoDB store that the routes use. */
export function memoryDeadLetters(): DeadLetterStore {
  const letters = new Map<string, DeadLetter>();
  return {
    async record(cloudEvent) {
      const letter = deadLetterOf(cloudEvent, new Date());
      if (!letters.has(letter.id)) letters.set(letter.id, letter);
    },
    async list({ limit = 1000, state } = {}) {
      // Newest first, as the real store: here, the last recorded first.
      const listed = [...letters.values()].reverse().filter((letter) => state === undefined || (state === 'replayed') === (letter.replayedAt !== undefined));
      return { deadLetters: listed.slice(0, limit), next: undefined };
    },
    async get(id) {
      return letters.get(id);
    },
    async markReplayed(id, { by, data }) {
      const letter = letters.get(id);
      if (!letter) return;
      delete letter.replayedData;
      Object.assign(letter, { replayedAt: new Date().toISOString(), replayedBy: by }, data === undefined ? {} : { replayedData: data });
    },
    async count() {
      const replayed = [...letters.values()].filter((letter) => letter.replayedAt).length;
      return { waiting: letters.size - replayed, replayed };
    },
  };
}

/**
 * What createServiceApp gets for a service that consumes events, in memory: a silent log,
 * a readiness it can switch, its own metrics, these handlers, dead letters, the admin token set.
 */
export function serviceDeps(appId: string, handlers: EventHandlers) {
  const ready = { now: true };
  const events = { appId, pubsubName: 'pubsub', appApiToken: undefined, adminToken: ADMIN_TOKEN, handlers, deadLetters: memoryDeadLetters() };
  const deps = { log: createLogger(appId, 'silent'), readiness: { isReady: async () => ready.now }, metrics: new Registry(), events } satisfies ServiceAppDeps;
  return { deps, ready };
}

type Call = (method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }) => Promise<Answer>;

/** The routes every service has (health, its document, dead letters), each answered as documented. */
export async function exerciseCommonRoutes(call: Call, document: OpenApiDocument, deps: ReturnType<typeof serviceDeps>): Promise<void> {
  expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
  expect((await call('GET', '/readyz')).body).toEqual({ status: 'ready' });
  deps.ready.now = false;
  expect((await call('GET', '/readyz')).status).toBe(503);
  deps.ready.now = true;
  expect((await call('GET', '/metrics')).body).toContain('eventmart_dead_letters{state="waiting"} 0');
  expect((await call('GET', '/openapi.json')).body).toEqual(document);
  await exerciseDeadLetters(call, deps.deps.events.deadLetters);
}

/**
 * The dead-letter routes of a consumer, answered as documented: order.shipped (which no
 * consumer but notification reacts to, and it only passes it on) replays as SUCCESS; a type
 * outside the catalog is dropped again (422 REPLAY_FAILED).
 */
async function exerciseDeadLetters(call: Call, letters: DeadLetterStore): Promise<void> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  await letters.record({ id: 'dl-1', type: 'eventmart.order.shipped.v1', source: 'order', topic: 'orders', data: { orderId: 'o-1' } });
  await letters.record({ id: 'dl-2', type: 'eventmart.nothing.v1', source: 'order', topic: 'orders', data: {} });
  expect((await call('GET', '/deadletters', { headers: admin })).body).toMatchObject({ deadLetters: [{ id: 'dl-2' }, { id: 'dl-1' }] });
  expect((await call('GET', '/deadletters')).status).toBe(401);
  expect((await call('GET', '/deadletters?limit=0', { headers: admin })).status).toBe(400);
  expect((await call('GET', '/deadletters?state=lost', { headers: admin })).body).toEqual({ error: { code: 'INVALID_STATE', message: expect.any(String) } });
  expect((await call('POST', '/deadletters/dl-1/replay', { headers: admin, body: { data: { orderId: 'o-9' } } })).status).toBe(400);
  expect((await call('POST', '/deadletters/dl-1/replay', { headers: admin, body: { by: 'ops@example.com' } })).body).toEqual({ id: 'dl-1', status: 'SUCCESS' });
  expect((await call('POST', '/deadletters/dl-2/replay', { headers: admin, body: {} })).status).toBe(422);
  expect((await call('POST', '/deadletters/dl-none/replay', { headers: admin })).status).toBe(404);
  expect((await call('GET', '/deadletters?state=replayed', { headers: admin })).body).toEqual({
    deadLetters: [expect.objectContaining({ id: 'dl-1', replayedAt: expect.any(String), replayedBy: 'ops@example.com' })],
  });
  expect((await call('GET', '/deadletters?state=waiting', { headers: admin })).body).toEqual({ deadLetters: [expect.objectContaining({ id: 'dl-2' })] });
  // A bulk re-drive answers for each letter; one that fails stops none of the others.
  await letters.record({ id: 'dl-3', type: 'eventmart.order.shipped.v1', source: 'order', topic: 'orders', data: { orderId: 'o-3' } });
  expect((await call('POST', '/deadletters/replay', { headers: admin, body: { ids: ['dl-2', 'dl-none', 'dl-3', 'dl-1'] } })).body).toEqual({
    results: [
      { id: 'dl-2', status: 'FAILED', error: { code: 'REPLAY_FAILED', message: expect.any(String) } },
      { id: 'dl-none', status: 'FAILED', error: { code: 'DEAD_LETTER_NOT_FOUND', message: expect.any(String) } },
      { id: 'dl-3', status: 'SUCCESS' },
      { id: 'dl-1', status: 'FAILED', error: { code: 'ALREADY_REPLAYED', message: expect.any(String) } },
    ],
  });
  expect((await call('POST', '/deadletters/replay', { headers: admin, body: { ids: [] } })).status).toBe(400);
  expect((await call('POST', '/deadletters/replay', { body: { ids: ['dl-1'] } })).status).toBe(401);
  expect((await letters.get('dl-3'))?.replayedBy).toBe('admin');
}
