import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared';
import { accountRoutes } from './http/account-routes';
import type { LedgerStore } from './store/ledger-store';

export interface AppDeps extends ServiceAppDeps {
  ledger: LedgerStore;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, [accountRoutes(deps.ledger)]);
}
