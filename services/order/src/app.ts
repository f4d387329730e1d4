import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared';
import { catalogRoutes, orderRoutes, type OrderRouteDeps } from './http/order-routes';

export type AppDeps = ServiceAppDeps & OrderRouteDeps;

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, [orderRoutes(deps), catalogRoutes(deps.catalog)]);
}
