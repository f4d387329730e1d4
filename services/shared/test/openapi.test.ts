import Router from '@koa/router';
import { createServiceApp } from '@eventmart/shared/http';
import { buildOpenApiDocument, pathParam, ref, type ServiceApi } from '@eventmart/shared/openapi';
import { compileEverySchema, documentedRoutes, serveDocumented, servedRoutes, serviceDeps, validateOpenApi } from './openapi-check';

const thing = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' } } };

/** A service of one route, GET /things/{id}: `answer` for id "1", 404 THING_NOT_FOUND for others, but an undocumented code for "odd". */
function service(answer: unknown = { id: '1' }) {
  const api: ServiceApi = {
    service: 'things',
    port: 3999,
    description: 'Things.',
    schemas: { Thing: thing },
    deadLetters: true,
    routes: {
      'GET /things/{id}': {
        operationId: 'getThing',
        summary: 'A thing.',
        parameters: [pathParam('id', { type: 'string' }, 'The thing.')],
        responses: { 200: { description: 'The thing.', schema: ref('Thing') } },
        errors: { 404: { THING_NOT_FOUND: 'no such thing' } },
      },
    },
  };
  const router = new Router();
  router.get('/things/:id', (ctx) => {
    if (ctx.params.id !== '1') {
      ctx.status = 404;
      ctx.body = { error: { code: ctx.params.id === 'odd' ? 'SOMETHING_ELSE' : 'THING_NOT_FOUND', message: 'no such thing' } };
      return;
    }
    ctx.body = answer;
  });
  const document = buildOpenApiDocument(api);
  return { api, document, app: createServiceApp(serviceDeps('things', {}).deps, { routers: [router], openApi: document }) };
}

describe('buildOpenApiDocument', () => {
  test('when a service describes its routes, then the document has them and every route a service has, and a real validator takes it', () => {
    const { document, app } = service();
    expect(documentedRoutes(document)).toEqual([
      'GET /deadletters',
      'GET /healthz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /readyz',
      'GET /things/{id}',
      'POST /deadletters/replay',
      'POST /deadletters/{id}/replay',
    ]);
    expect(servedRoutes(app)).toEqual(documentedRoutes(document));
    expect(validateOpenApi(document)).toEqual({ valid: true });
  });

  test('when a document breaks the OpenAPI schema, then the validator says so (so the services’ checks can fail)', () => {
    const { document } = service();
    expect(validateOpenApi({ ...document, info: { title: 'no version' } }).valid).toBe(false);
    expect(validateOpenApi({ ...document, paths: { 'things/{id}': {} } }).valid).toBe(false);
  });

  test('when a schema is not JSON Schema 2020-12 or a $ref leads nowhere, then compiling the document fails', () => {
    const { api } = service();
    expect(compileEverySchema(buildOpenApiDocument(api))).toBeGreaterThan(5);
    expect(() => compileEverySchema(buildOpenApiDocument({ ...api, schemas: { Thing: { type: 'thing' } } }))).toThrow();
    expect(() => compileEverySchema(buildOpenApiDocument({ ...api, schemas: {} }))).toThrow(/Thing/);
  });

  test('when a route does not declare its path parameters, then building fails', () => {
    const { api } = service();
    const route = { ...api.routes['GET /things/{id}']!, parameters: [] };
    expect(() => buildOpenApiDocument({ ...api, routes: { 'GET /things/{id}': route } })).toThrow('GET /things/{id}: declare exactly its path parameters');
  });

  test('every error answer lists its codes, and a route with a body documents what the body parser refuses', () => {
    const { document } = service();
    const replay = (document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)['/deadletters/{id}/replay']!.post!;
    expect(Object.keys(replay.responses)).toEqual(['200', '400', '401', '403', '404', '413', '415', '422', '500']);
    expect(replay.responses['400']).toMatchObject({
      content: {
        'application/json': {
          schema: {
            properties: { error: { properties: { code: { enum: ['MALFORMED_REQUEST', 'NUL_CHARACTER', 'PROTECTED_FIELD_CHANGED', 'VALIDATION_FAILED'] } } } },
          },
        },
      },
    });
  });
});

describe('a service app and its document', () => {
  test('GET /openapi.json serves the document', async () => {
    const { document, app } = service();
    const served = await serveDocumented(app, document);
    try {
      expect((await served.call('GET', '/openapi.json')).body).toEqual(document);
    } finally {
      await served.close();
    }
  });

  test('when an answer does not fit the document, then the check fails: a body, an error code, a route', async () => {
    const { document, app } = service({ id: 1 });
    const served = await serveDocumented(app, document);
    try {
      await expect(served.call('GET', '/things/1')).rejects.toThrow(/the body does not fit the document/);
      await expect(served.call('GET', '/things/odd')).rejects.toThrow(/GET \/things\/\{id\} 404: the body does not fit the document: .*allowed values/);
      await expect(served.call('GET', '/things/2')).resolves.toMatchObject({ status: 404 });
      await expect(served.call('GET', '/deadletters', { headers: { authorization: 'Bearer admin-token' } })).resolves.toMatchObject({ status: 200 });
      await expect(served.call('DELETE', '/things/1')).rejects.toThrow('DELETE /things/1 is not documented');
      expect(served.uncovered()).toContain('GET /things/{id}: no 2xx');
      expect(served.uncovered()).not.toContain('GET /things/{id}: no 4xx');
    } finally {
      await served.close();
    }
  });

  test('when a route answers a status it does not document, then the check fails', async () => {
    const { document, app } = service();
    const undocumented = structuredClone(document) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    delete undocumented.paths['/things/{id}']!.get!.responses['404'];
    const served = await serveDocumented(app, undocumented);
    try {
      await expect(served.call('GET', '/things/2')).rejects.toThrow('GET /things/{id} answered 404, which it does not document');
    } finally {
      await served.close();
    }
  });
});
