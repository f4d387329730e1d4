import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared/http';
import { buildOpenApi } from './http/openapi';
import { shipmentRoutes } from './http/shipment-routes';
import type { ShipmentStore } from './store/shipment-store';

export interface AppDeps extends ServiceAppDeps {
  shipments: ShipmentStore;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, { routers: [shipmentRoutes(deps.shipments)], openApi: buildOpenApi() });
}
