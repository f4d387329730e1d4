import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared/http';
import { buildOpenApi } from './http/openapi';
import { productRoutes } from './http/product-routes';
import type { ProductStore } from './store/product-store';

export interface AppDeps extends ServiceAppDeps {
  products: ProductStore;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, { routers: [productRoutes(deps.products)], openApi: buildOpenApi() });
}
