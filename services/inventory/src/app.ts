import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared';
import { productRoutes } from './http/product-routes';
import type { ProductStore } from './store/product-store';
import type { ProductRelay } from './events/product-relay';

export interface AppDeps extends ServiceAppDeps {
  products: ProductStore;
  relay: ProductRelay;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, [productRoutes(deps.products, deps.relay)]);
}
