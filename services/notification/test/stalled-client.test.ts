import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '@eventmart/shared/logger';
import { createApp } from '../src/app';
import { RecentEvents } from '../src/domain/recent-events';
import { createLiveFeed, type LiveFeed } from '../src/events/live-feed';
import type { StreamOptions } from '../src/http/stream-routes';

const MAX_BUFFERED = 64 * 1024;

/** A client that sends the request and then never reads: its socket's buffers fill up. */
function stalledClient(port: number): { socket: net.Socket; closed: Promise<void> } {
  const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n'));
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  return { socket, closed };
}

const publish = (feed: LiveFeed, id: string, name: string) =>
  feed.handlers['product.changed']!({
    id,
    name: 'product.changed',
    data: { sku: 'SKU-1', name, price: 100, available: 1, version: 1 },
    traceparent: undefined,
  });

interface Stats {
  clients: number;
  pendingBytes: number;
  cutOff: number;
  refused: number;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The notification app on a free port, with the feed its handlers fill and its /stream/stats. */
async function serve(options: Partial<StreamOptions> = {}, capacity = 1_000) {
  const recent = new RecentEvents(capacity);
  const feed = createLiveFeed(recent);
  const app = createApp({
    log: createLogger('notification', 'silent'),
    readiness: { isReady: async () => true },
    metrics: new Registry(),
    recent,
    feed,
    stream: { maxBufferedBytes: MAX_BUFFERED, maxQueuedEvents: capacity, maxClients: 100, heartbeatMs: 60_000, resumeOverlap: 0, ...options },
    page: { orderApiUrl: 'http://order', paymentApiUrl: 'http://payment', traceUrl: '' },
  });
  const server = http.createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/stream/stats`)).json()) as Stats;
  /** Polls the stats until `done` holds, at most `tries` times a few ms apart. */
  const until = async (done: (now: Stats) => boolean, tries = 500): Promise<Stats> => {
    let now = await stats();
    for (let i = 0; i < tries && !done(now); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      now = await stats();
    }
    return now;
  };
  return { port, feed, stats, until };
}

describe('a stalled stream client', () => {
  test('when a client stops reading while events keep coming, then it is cut off and the bytes held for it stay bounded', async () => {
    const { port, feed, stats } = await serve();
    const stalled = stalledClient(port);
    // A client that reads everything, to show the cut-off is about the stalled one only.
    let readBytes = 0;
    const reader = await new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${port}/stream`, resolve));
    reader.on('data', (chunk: Buffer) => (readBytes += chunk.length));
    while ((await stats()).clients < 2) await new Promise((resolve) => setImmediate(resolve));

    let cutOff = false;
    const name = 'A product with a long name, so that each frame is a few hundred bytes '.repeat(2).trim();
    let highest = 0;
    let sent = 0;
    // Far more than the kernel's socket buffers hold, in batches that let the sockets drain.
    for (let batch = 0; batch < 500 && !cutOff; batch++) {
      for (let i = 0; i < 100; i++, sent++) {
        await publish(feed, `SKU-1:v${sent + 1}`, name);
        // Events come one per request from the sidecar: the sockets get their turn in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const now = await stats();
      highest = Math.max(highest, now.pendingBytes);
      cutOff = now.cutOff > 0;
    }
    // The server closed it: once the client reads again, it reaches the end of the stream.
    expect(cutOff).toBe(true);
    stalled.socket.resume();
    await stalled.closed;

    const after = await stats();
    expect(after.cutOff).toBe(1);
    expect(after.clients).toBe(1); // the reader is still there
    // Never more than the limit plus the one frame that crossed it.
    expect(highest).toBeLessThanOrEqual(MAX_BUFFERED + 1024);
    expect(readBytes).toBeGreaterThan(MAX_BUFFERED); // the reader got far more than the stalled one could hold
    reader.destroy();
  });

  test('when clients that never read connect to a full buffer, then each holds the limit, not the whole catch-up', async () => {
    // 4 000 events of ~2.5 KB: a catch-up of ~10 MB, far more than the kernel's socket buffers take.
    const { port, feed, stats, until } = await serve({}, 4_000);
    const name = 'x'.repeat(2_500);
    for (let i = 0; i < 4_000; i++) await publish(feed, `SKU-1:v${i + 1}`, name);
    const clients = [stalledClient(port), stalledClient(port), stalledClient(port)];
    await until((now) => now.clients === 3);
    // Let the sockets take what they will, then look at what waits in the process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await stats();
    expect(now.clients).toBe(3);
    expect(now.pendingBytes).toBeLessThanOrEqual(3 * (MAX_BUFFERED + 2 * 2_600));
    for (const client of clients) client.socket.destroy();
  });

  test('when a new client has not taken its catch-up yet, then live events wait beside it instead of cutting it off', async () => {
    // A catch-up of thousands of events still waiting, and room for 50 live ones beside it.
    const { port, feed, stats, until } = await serve({ maxQueuedEvents: 50 }, 4_000);
    const name = 'x'.repeat(2_500);
    for (let i = 0; i < 4_000; i++) await publish(feed, `SKU-1:v${i + 1}`, name);
    const slow = stalledClient(port);
    await until((now) => now.clients === 1);
    for (let i = 0; i < 40; i++) await publish(feed, `SKU-1:live${i}`, name);
    expect(await stats()).toMatchObject({ clients: 1, cutOff: 0 });
    slow.socket.destroy();
  });

  test('when a client stops reading and no new events come, then it is cut off at the next heartbeat but one', async () => {
    const { port, feed, until } = await serve({ heartbeatMs: 50 }, 4_000);
    const name = 'x'.repeat(2_500);
    for (let i = 0; i < 4_000; i++) await publish(feed, `SKU-1:v${i + 1}`, name);
    const stalled = stalledClient(port);
    const after = await until((now) => now.cutOff > 0);
    expect(after).toMatchObject({ cutOff: 1, clients: 0 });
    stalled.socket.resume();
    await stalled.closed;
  });
});

describe('the stream', () => {
  test('when the replica serves its most clients, then one more gets 503 TOO_MANY_CLIENTS with Retry-After', async () => {
    const { port, until } = await serve({ maxClients: 2 });
    const open = [stalledClient(port), stalledClient(port)];
    await until((now) => now.clients === 2);
    const refused = await fetch(`http://127.0.0.1:${port}/stream`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ error: { code: 'TOO_MANY_CLIENTS', message: expect.stringContaining('2 streams') } });
    expect((await until((now) => now.refused === 1)).refused).toBe(1);
    for (const client of open) client.socket.destroy();
  });

  test('an event id with CR, LF or NUL goes out without an id field, so it cannot split the frame', async () => {
    const { port, feed, until } = await serve();
    let text = '';
    const reader = await new Promise<http.IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${port}/stream`, resolve));
    reader.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await until((now) => now.clients === 1);
    await publish(feed, 'bad\r\nevent: forged\n\ndata: x', 'first');
    await publish(feed, 'good-1', 'second');
    for (let i = 0; i < 500 && !text.includes('good-1'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    reader.destroy();
    const frames = text.split('\n\n').filter((f) => f.includes('data: {'));
    expect(frames).toHaveLength(2);
    const head = 'event: message\ndata: ';
    expect(frames[0]!.startsWith(head)).toBe(true);
    expect(JSON.parse(frames[0]!.slice(head.length)).id).toBe('bad\r\nevent: forged\n\ndata: x');
    expect(frames[1]).toMatch(/^id: good-1\nevent: message\ndata: /);
  });
});
