// First: tracing must wrap http and mongodb before anything loads them.
import '@eventmart/shared/telemetry';
import { runService } from '@eventmart/shared/service';
import { createApp } from './app';
import { loadConfig } from './config';
import { RecentEvents } from './domain/recent-events';
import { createLiveFeed } from './events/live-feed';

void runService('notification', loadConfig, async ({ config, log, readiness, metrics, consumer }) => {
  const recent = new RecentEvents(config.streamBufferSize);
  const feed = createLiveFeed(recent);
  const events = consumer(feed.handlers);
  return {
    app: createApp({
      log,
      readiness,
      metrics,
      events,
      recent,
      feed,
      page: { orderApiUrl: config.orderApiUrl, paymentApiUrl: config.paymentApiUrl, traceUrl: config.traceUiUrl },
      // On resume, 100 events from before the last id are sent again (the browser drops copies).
      stream: {
        maxBufferedBytes: config.streamMaxBufferedBytes,
        // A client further behind than the buffer holds cannot be served from it anyway.
        maxQueuedEvents: config.streamBufferSize,
        maxClients: config.streamMaxClients,
        heartbeatMs: 15_000,
        resumeOverlap: 100,
      },
    }),
  };
});
