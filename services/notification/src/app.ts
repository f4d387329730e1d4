import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared/http';
import type { RecentEvents } from './domain/recent-events';
import type { LiveFeed } from './events/live-feed';
import { buildOpenApi } from './http/openapi';
import { pageRoutes, type PageConfig } from './http/page-routes';
import { streamRoutes, type StreamOptions } from './http/stream-routes';

export interface AppDeps extends ServiceAppDeps {
  recent: RecentEvents;
  feed: LiveFeed;
  stream: StreamOptions;
  page: PageConfig;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, {
    routers: [streamRoutes(deps.recent, deps.feed, deps.stream, deps.log, deps.metrics), pageRoutes(deps.page)],
    openApi: buildOpenApi(),
  });
}
