import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceApp, type ServiceAppDeps } from '../src/http';
import { deadLetterOf } from '../src/dead-letter-store';
import { cloudEventType } from '../src/events';
import type { EventHandlers } from '../src/pubsub';
import { ADMIN_TOKEN, serviceDeps } from './openapi-check';

/**
 * What the sidecar's deliveries get from a service's app, over real HTTP: every answer is a 200
 * with SUCCESS, RETRY or DROP. A 4xx would read to Dapr as "try again", without end.
 */
/** The app of `deps` on a free port for the tests of this block; gives its base URL. */
function served(deps: ServiceAppDeps): () => string {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer(
      createServiceApp(deps, { routers: [], openApi: { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} } }).callback(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  return () => base;
}

describe('an event delivery', () => {
  const handled: string[] = [];
  const handlers: EventHandlers = { 'order.confirmed': async (event) => void handled.push(event.id) };
  const { deps } = serviceDeps('inventory', handlers);
  const base = served(deps);

  const deliver = async (path: string, body: string, type = 'application/cloudevents+json') => {
    const response = await fetch(`${base()}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const event = (data: unknown, id = 'e-1') => JSON.stringify({ id, type: cloudEventType('order.confirmed'), source: 'order', data });

  test('when it is valid, then SUCCESS', async () => {
    expect(await deliver('/events/orders', event({ orderId: 'o-1' }))).toEqual({ status: 200, body: { status: 'SUCCESS' } });
    expect(handled).toEqual(['e-1']);
  });

  test('when it is larger than a request may be (256 kB) but within what a sidecar publishes (4 MB), then it is read and dropped, not refused with 413', async () => {
    const padded = event({ orderId: 'x'.repeat(1_000_000) }, 'e-big');
    expect(await deliver('/events/orders', padded)).toEqual({ status: 200, body: { status: 'DROP' } });
    // Its dead letter is read whole too.
    expect(await deliver('/events/deadletter', padded)).toEqual({ status: 200, body: { status: 'SUCCESS' } });
    expect((await deps.events.deadLetters.get('e-big'))?.data).toEqual({ orderId: 'x'.repeat(1_000_000) });
  });

  test('when it cannot be read (not JSON, over 4 MB), then DROP, for an event and for a dead letter alike', async () => {
    for (const path of ['/events/orders', '/events/deadletter']) {
      expect(await deliver(path, '{"id": "e-2", ')).toEqual({ status: 200, body: { status: 'DROP' } });
      expect(await deliver(path, event({ orderId: 'x'.repeat(5_000_000) }))).toEqual({ status: 200, body: { status: 'DROP' } });
    }
    expect(handled).toEqual(['e-1']);
    // Nothing unreadable was kept: e-big, of the test above, is the only letter.
    expect((await deps.events.deadLetters.list()).deadLetters.map((letter) => letter.id)).toEqual(['e-big']);
  });

  test('when its data holds a NUL character, then DROP', async () => {
    expect(await deliver('/events/orders', event({ orderId: 'o\u0000' }))).toEqual({ status: 200, body: { status: 'DROP' } });
    expect(handled).toEqual(['e-1']);
  });
});

describe('a dead letter', () => {
  test('keeps what the CloudEvent says, and gets an id of its own when it has none', () => {
    const at = new Date('2026-12-03T00:00:00Z');
    expect(deadLetterOf({ id: 'e', type: 't', source: 'order', topic: 'orders', data: [1, 'a'] }, at)).toEqual({
      id: 'e',
      type: 't',
      source: 'order',
      topic: 'orders',
      data: [1, 'a'],
      receivedAt: '2026-12-03T00:00:00.000Z',
    });
    const one = deadLetterOf({ type: 't' }, at);
    const two = deadLetterOf({ type: 't', id: '' }, at);
    expect(one.id).not.toBe(two.id);
    expect(one).toMatchObject({ source: undefined, topic: undefined, data: undefined });
  });
});

describe('a request body', () => {
  const { deps } = serviceDeps('inventory', {});
  const base = served(deps);

  const replay = async (headers: Record<string, string>, body?: string) => {
    const response = await fetch(`${base()}/deadletters/nothing/replay`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      body,
    });
    return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
  };

  test('when it is not JSON, then 415, before a route could take it for no body (a replay has an optional one)', async () => {
    expect(await replay({ 'content-type': 'text/plain' }, '{}')).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await replay({}, 'data=1')).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    // JSON, or no body at all, reaches the route: there is no such letter.
    expect(await replay({ 'content-type': 'application/json' }, '{}')).toEqual({ status: 404, code: 'DEAD_LETTER_NOT_FOUND' });
    expect(await replay({})).toEqual({ status: 404, code: 'DEAD_LETTER_NOT_FOUND' });
  });
});
