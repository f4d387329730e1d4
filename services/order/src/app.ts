import type Koa from 'koa';
import cors from '@koa/cors';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared/http';
import { buildOpenApi } from './http/openapi';
import { catalogRoutes, orderRoutes, type OrderRouteDeps } from './http/order-routes';

export type AppDeps = ServiceAppDeps &
  OrderRouteDeps & {
    /** Origin allowed to call the API from a browser (the shop page served by notification). */
    corsOrigin: string;
  };

export function createApp(deps: AppDeps): Koa {
  // CORS first in line, so that preflights and error replies carry its headers too.
  const corsFirst = cors({
    origin: deps.corsOrigin,
    allowHeaders: ['Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Location'],
  });
  return createServiceApp(deps, { routers: [orderRoutes(deps), catalogRoutes(deps.catalog)], openApi: buildOpenApi(), first: [corsFirst] });
}
