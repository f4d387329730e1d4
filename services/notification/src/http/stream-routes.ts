import type { ServerResponse } from 'node:http';
import Router from '@koa/router';
import { HttpError } from '@eventmart/shared/errors';
import { counterOf, gaugeOf, type Registry } from '@eventmart/shared/health';
import type { Logger } from '@eventmart/shared/logger';
import type { FeedEvent, RecentEvents } from '../domain/recent-events';
import type { LiveFeed } from '../events/live-feed';

export interface StreamOptions {
  /** The bytes handed to one client's socket at a time; more follow as it drains. */
  maxBufferedBytes: number;
  /** Events waiting for one client (references to the shared buffer's events); past this it is cut off. */
  maxQueuedEvents: number;
  /** Open streams at most; one more is refused with 503 and comes back after Retry-After. */
  maxClients: number;
  heartbeatMs: number;
  /** On resume, how many events from before the last id are sent again (see RecentEvents.since). */
  resumeOverlap: number;
}

// An SSE field ends at CR or LF and an id with NUL is ignored: such an id would break the frame.
const UNSAFE_ID = /[\r\n\0]/;

// One frame per event, shared by every client: a client's queue holds references, not copies.
const frames = new WeakMap<FeedEvent, string>();
function frameOf(event: FeedEvent): string {
  let text = frames.get(event);
  if (text === undefined) {
    const { id, type, data, orderId, at } = event;
    const idLine = UNSAFE_ID.test(id) ? '' : `id: ${id}\n`;
    text = `${idLine}event: message\ndata: ${JSON.stringify({ id, type, orderId, data, at })}\n\n`;
    frames.set(event, text);
  }
  return text;
}

/**
 * GET /stream: Server-Sent Events of every customer-facing event, `?orderId=` to filter,
 * `Last-Event-ID` (header, or `lastEventId` query for a first connect) to resume.
 * GET /stream/stats: open clients, bytes waiting to be sent to them, clients cut off.
 *
 * Memory per client is bounded: its socket is handed at most `maxBufferedBytes` (plus one
 * frame) and gets more on 'drain'; what waits meanwhile, the catch-up included, is a queue of
 * references to events the shared buffer holds anyway. A client whose queue passes
 * `maxQueuedEvents` past its catch-up, or whose socket has not drained for a heartbeat, is cut off; its browser
 * resumes from Last-Event-ID when it reconnects.
 */
export function streamRoutes(recent: RecentEvents, feed: LiveFeed, options: StreamOptions, log: Logger, metrics?: Registry): Router {
  const router = new Router();
  const open = new Set<ServerResponse>();
  let cutOff = 0;
  let refused = 0;
  const pendingBytes = () => [...open].reduce((sum, res) => sum + res.writableLength, 0);
  if (metrics) {
    gaugeOf(metrics, 'eventmart_sse_clients', 'Open /stream clients.', () => open.size);
    gaugeOf(metrics, 'eventmart_sse_pending_bytes', 'Bytes written to /stream clients and not yet sent.', pendingBytes);
    counterOf(metrics, 'eventmart_sse_cut_off_total', 'Clients cut off (too slow or stalled).', () => cutOff);
    counterOf(metrics, 'eventmart_sse_refused_total', 'Clients refused (too many open).', () => refused);
  }

  router.get('/stream', (ctx) => {
    if (open.size >= options.maxClients) {
      refused++;
      ctx.set('Retry-After', '5');
      throw new HttpError(503, 'TOO_MANY_CLIENTS', `this replica serves ${options.maxClients} streams at most; retry later`);
    }
    const orderId = typeof ctx.query.orderId === 'string' ? ctx.query.orderId : undefined;
    const lastEventId = ctx.get('Last-Event-ID') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : undefined);
    const wanted = (event: FeedEvent) => orderId === undefined || event.orderId === orderId;
    const res = ctx.res;

    ctx.respond = false; // the response is a stream we write ourselves
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');

    let closed = false;
    let stopListening = () => {};
    let heartbeat: NodeJS.Timeout | undefined = undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      stopListening();
      open.delete(res);
      res.destroy();
    };
    const cut = (why: string) => {
      cutOff++;
      log.warn({ buffered: res.writableLength, queued: queue.length - next }, `stream client ${why}, disconnecting`);
      close();
    };

    // The catch-up (what the buffer holds after Last-Event-ID) is the start of the queue.
    let queue = recent.since(lastEventId, options.resumeOverlap).filter(wanted);
    // The catch-up may still be waiting when live events come: they get their own allowance.
    const maxWaiting = queue.length + options.maxQueuedEvents;
    let next = 0;
    const pump = () => {
      while (!closed && next < queue.length && res.writableLength < options.maxBufferedBytes) res.write(frameOf(queue[next++]!));
      if (next === queue.length) {
        queue = [];
        next = 0;
      }
    };
    let drained = true;
    res.on('drain', () => {
      drained = true;
      pump();
    });

    open.add(res);
    res.once('close', close);
    pump();
    stopListening = feed.listen((event) => {
      if (closed || !wanted(event)) return;
      if (queue.length - next >= maxWaiting) return cut('too slow');
      queue.push(event);
      pump();
    });
    heartbeat = setInterval(() => {
      // Full since the last beat and not drained once: the client stopped reading.
      if (res.writableNeedDrain && !drained) return cut('stalled');
      drained = !res.writableNeedDrain;
      if (next === queue.length) res.write(': keep-alive\n\n');
    }, options.heartbeatMs);
  });

  router.get('/stream/stats', (ctx) => {
    ctx.body = {
      clients: open.size,
      pendingBytes: pendingBytes(),
      cutOff,
      refused,
      buffered: recent.size,
    };
  });

  return router;
}
