import type { ServerResponse } from 'node:http';
import Router from '@koa/router';
import type { Logger } from '@eventmart/shared';
import type { FeedEvent, RecentEvents } from '../domain/recent-events';
import type { LiveFeed } from '../events/live-feed';

export interface StreamOptions {
  /** A client with more than this many bytes unsent is cut off; it resumes on reconnect. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** On resume, how many events from before the last id are sent again (see RecentEvents.since). */
  resumeOverlap: number;
}

function frame({ id, type, data, orderId, at }: FeedEvent): string {
  return `id: ${id}\nevent: message\ndata: ${JSON.stringify({ id, type, orderId, data, at })}\n\n`;
}

/**
 * GET /stream: Server-Sent Events of every customer-facing event, `?orderId=` to filter,
 * `Last-Event-ID` (header, or `lastEventId` query for a first connect) to resume.
 * GET /stream/stats: open clients, bytes waiting to be sent to them, clients cut off.
 */
export function streamRoutes(recent: RecentEvents, feed: LiveFeed, options: StreamOptions, log: Logger): Router {
  const router = new Router();
  const open = new Set<ServerResponse>();
  let cutOff = 0;

  router.get('/stream', (ctx) => {
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
    // The catch-up (what the buffer holds after Last-Event-ID) goes out in one write and is
    // bounded by the buffer's capacity; the limit for a stalled reader comes on top of it, or
    // a full catch-up on a first connect would cut off every new client at once.
    const catchUp = recent.since(lastEventId, options.resumeOverlap).filter(wanted).map(frame).join('');
    const allowance = options.maxBufferedBytes + Buffer.byteLength(catchUp);
    const send = (chunk: string) => {
      if (closed) return;
      // A stalled reader must not grow our memory: past the limit it is cut off, and its
      // browser resumes from Last-Event-ID when it reconnects.
      if (res.writableLength > allowance) {
        cutOff++;
        log.warn({ buffered: res.writableLength }, 'stream client too slow, disconnecting');
        close();
        return;
      }
      res.write(chunk);
    };

    open.add(res);
    res.once('close', close);
    if (catchUp) res.write(catchUp);
    stopListening = feed.listen((event) => {
      if (wanted(event)) send(frame(event));
    });
    heartbeat = setInterval(() => send(': keep-alive\n\n'), options.heartbeatMs);
  });

  router.get('/stream/stats', (ctx) => {
    let pendingBytes = 0;
    for (const res of open) pendingBytes += res.writableLength;
    ctx.body = {
      clients: open.size,
      pendingBytes,
      cutOff,
      buffered: recent.size,
    };
  });

  return router;
}
