import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, request, send } from '../src/http';

/** What the server saw of the last request. */
let seen: { method?: string; contentType?: string; token?: string; body: string };
let server: Server;
let base: string;

const read = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      seen = { method: req.method, contentType: req.headers['content-type'], token: req.headers['x-token'] as string | undefined, body: await read(req) };
      if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else if (req.url === '/empty') res.writeHead(204).end();
      else if (req.url === '/refused') res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":{"code":"CONFLICT"}}');
      else if (req.url === '/text') res.writeHead(200, { 'content-type': 'text/plain' }).end('not json');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('{}'), 2_000);
      else res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the HTTP helper of the scripts and the tests', () => {
  test('call answers any status with its parsed body, an empty body as undefined', async () => {
    expect(await call('GET', `${base}/json`)).toEqual({ status: 200, body: { ok: true } });
    expect(await call('GET', `${base}/refused`)).toEqual({ status: 409, body: { error: { code: 'CONFLICT' } } });
    expect(await call('POST', `${base}/empty`, {})).toEqual({ status: 204, body: undefined });
  });

  test('a body goes as JSON with its content type, a string as it is; none, no content type; headers go along', async () => {
    await call('PUT', `${base}/json`, { name: 'Mug' }, { headers: { 'x-token': 't-1' } });
    expect(seen).toEqual({ method: 'PUT', contentType: 'application/json', token: 't-1', body: '{"name":"Mug"}' });
    await call('POST', `${base}/json`, '{"raw":1}', { headers: { 'content-type': 'application/x-custom' } });
    expect(seen).toMatchObject({ contentType: 'application/x-custom', body: '{"raw":1}' });
    await call('GET', `${base}/json`);
    expect(seen).toEqual({ method: 'GET', contentType: undefined, token: undefined, body: '' });
  });

  test('a body that is not JSON is an error naming the call', async () => {
    await expect(call('GET', `${base}/text`)).rejects.toThrow(`GET ${base}/text answered 200 with a body that is not JSON: not json`);
  });

  test('send returns the body of a 2xx and fails on any other status with what the service said', async () => {
    expect(await send('GET', `${base}/json`)).toEqual({ ok: true });
    await expect(send('POST', `${base}/refused`, {})).rejects.toThrow(`POST ${base}/refused answered 409: {"error":{"code":"CONFLICT"}}`);
  });

  test('a service slower than the deadline fails the call', async () => {
    await expect(call('GET', `${base}/slow`, undefined, { timeoutMs: 200 })).rejects.toThrow(/timeout|aborted/i);
    expect(await request('GET', `${base}/slow`, undefined, { timeoutMs: 5_000 })).toEqual({ status: 200, text: '{}' });
  });
});
