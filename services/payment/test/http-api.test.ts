import { memoryEventStreamStore } from '../../shared/test/memory-event-stream';
import { describeOpenApi, exerciseCommonRoutes, serveDocumented, serviceDeps } from '../../shared/test/openapi-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { buildOpenApi } from '../src/http/openapi';
import { ledgerStoreOn, type StoredEntry } from '../src/store/ledger-store';

function app() {
  const ledger = ledgerStoreOn(memoryEventStreamStore<StoredEntry>('ledger'));
  const common = serviceDeps('payment', {});
  return { app: createApp({ ...common.deps, ledger, corsOrigin: '*' }), ledger, common };
}

describeOpenApi('payment', buildOpenApi, () => app().app, loadConfig({}).port);

describe('the payment service answers as its document says', () => {
  test('each route, with a 2xx and its 4xx', async () => {
    const { app: koa, ledger, common } = app();
    const served = await serveDocumented(koa, buildOpenApi());
    const { call } = served;
    try {
      expect((await call('POST', '/accounts/c-1/deposits', { body: { amount: 5_000 } })).body).toMatchObject({
        customerId: 'c-1',
        balance: 5_000,
        transactions: [{ kind: 'deposit', amount: 5_000 }],
      });
      expect((await call('POST', '/accounts/c-1/deposits', { body: { amount: 0 } })).status).toBe(400);
      expect((await call('POST', '/accounts/c%201/deposits', { body: { amount: 1 } })).body).toMatchObject({ error: { code: 'INVALID_CUSTOMER_ID' } });
      // A charge (as order.placed makes it) shows with its order; a decline does not show.
      const at = new Date().toISOString();
      await ledger.streams.append('c-1', 1, [
        { id: 'e-2', kind: 'charge', amount: 1_200, orderId: 'o-1', at },
        { id: 'e-3', kind: 'decline', amount: 9_000, orderId: 'o-2', reason: 'insufficient funds', at },
      ]);
      expect((await call('GET', '/accounts/c-1')).body).toMatchObject({
        balance: 3_800,
        transactions: [{ kind: 'deposit' }, { kind: 'charge', orderId: 'o-1' }],
      });
      expect((await call('GET', '/accounts/nobody')).status).toBe(404);

      await exerciseCommonRoutes(call, buildOpenApi(), common);

      expect(served.uncovered()).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
