import type Koa from 'koa';
import cors from '@koa/cors';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared/http';
import { accountRoutes } from './http/account-routes';
import { buildOpenApi } from './http/openapi';
import type { LedgerStore } from './store/ledger-store';

export interface AppDeps extends ServiceAppDeps {
  ledger: LedgerStore;
  /** Origin allowed to read accounts from a browser (the shop page shows the balance). */
  corsOrigin: string;
}

export function createApp(deps: AppDeps): Koa {
  // CORS first in line, so that preflights and error replies carry its headers too.
  return createServiceApp(deps, { routers: [accountRoutes(deps.ledger)], openApi: buildOpenApi(), first: [cors({ origin: deps.corsOrigin })] });
}
