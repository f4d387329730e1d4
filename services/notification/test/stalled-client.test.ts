import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '@eventmart/shared';
import { createApp } from '../src/app';
import { RecentEvents } from '../src/domain/recent-events';
import { createLiveFeed } from '../src/events/live-feed';

const MAX_BUFFERED = 64 * 1024;

/** A client that sends the request and then never reads: its socket's buffers fill up. */
function stalledClient(port: number): { socket: net.Socket; closed: Promise<void> } {
  const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /stream HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n'));
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  return { socket, closed };
}

describe('a stalled stream client', () => {
  let server: http.Server;
  let port: number;
  let feed: ReturnType<typeof createLiveFeed>;
  const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/stream/stats`)).json()) as { clients: number; pendingBytes: number; cutOff: number };

  beforeAll(async () => {
    const recent = new RecentEvents(1_000);
    feed = createLiveFeed(recent);
    const app = createApp({
      log: createLogger('notification', 'silent'),
      readiness: { isReady: async () => true },
      metrics: new Registry(),
      recent,
      feed,
      stream: { maxBufferedBytes: MAX_BUFFERED, heartbeatMs: 60_000, resumeOverlap: 0 },
      page: { orderApiUrl: 'http://order', paymentApiUrl: 'http://payment' },
    });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('when a client stops reading while events keep coming, then it is cut off and the bytes held for it stay bounded', async () => {
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
        await feed.handlers['product.changed']!({
          id: `SKU-1:v${sent + 1}`,
          name: 'product.changed',
          data: { sku: 'SKU-1', name, price: 100, available: sent, version: sent + 1 },
          traceparent: undefined,
        });
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
});
