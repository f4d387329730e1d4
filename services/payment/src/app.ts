import type Koa from 'koa';
import { createServiceApp, type ServiceAppDeps } from '@eventmart/shared';
import { accountRoutes } from './http/account-routes';
import type { AccountStore } from './store/account-store';

export interface AppDeps extends ServiceAppDeps {
  accounts: AccountStore;
}

export function createApp(deps: AppDeps): Koa {
  return createServiceApp(deps, [accountRoutes(deps.accounts)]);
}
