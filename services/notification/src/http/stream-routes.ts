import Router from '@koa/router';
import { HttpError } from '@eventmart/shared/errors';
import type { Registry } from '@eventmart/shared/health';
import type { Logger } from '@eventmart/shared/logger';
import type { FeedEvent, RecentEvents } from '../domain/recent-events';
import type { LiveFeed } from '../events/live-feed';
import { createSseClients, type SseOptions } from '../live/sse-clients';

export interface StreamOptions extends SseOptions {
  /** On resume, how many events from before the last id are sent again (see RecentEvents.since). */
  resumeOverlap: number;
}

/**
 * GET /stream: Server-Sent Events of every customer-facing event, `?orderId=` to filter,
 * `Last-Event-ID` (header, or `lastEventId` query for a first connect) to resume: what the
 * buffer holds after that id, then the live feed, written by live/sse-clients.ts.
 * GET /stream/stats: open clients, bytes waiting to be sent to them, clients cut off.
 */
export function streamRoutes(recent: RecentEvents, feed: LiveFeed, options: StreamOptions, log: Logger, metrics?: Registry): Router {
  const router = new Router();
  const clients = createSseClients(options, log, metrics);

  router.get('/stream', (ctx) => {
    if (!clients.admit()) {
      ctx.set('Retry-After', '5');
      throw new HttpError(503, 'TOO_MANY_CLIENTS', `this replica serves ${options.maxClients} streams at most; retry later`);
    }
    const orderId = typeof ctx.query.orderId === 'string' ? ctx.query.orderId : undefined;
    const lastEventId = ctx.get('Last-Event-ID') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : undefined);
    const wanted = (event: FeedEvent) => orderId === undefined || event.orderId === orderId;
    ctx.respond = false; // the response is a stream the SSE client writes itself
    clients.serve(ctx.res, recent.since(lastEventId, options.resumeOverlap).filter(wanted), (send) =>
      feed.listen((event) => {
        if (wanted(event)) send(event);
      }),
    );
  });

  router.get('/stream/stats', (ctx) => {
    ctx.body = { ...clients.stats(), buffered: recent.size };
  });

  return router;
}
