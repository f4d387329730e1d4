import Router from '@koa/router';
import { bodyValidator, NotFoundError, retryOnConflict, ValidationError } from '@eventmart/shared';
import { balanceOf, deposit, type Entry } from '../domain/ledger';
import type { Account, AccountStore } from '../store/account-store';

const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const parseDeposit = bodyValidator<{ amount: number }>({
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  properties: { amount: { type: 'integer', minimum: 1, maximum: 1_000_000_000 } },
});

const SHOWN: ReadonlySet<Entry['kind']> = new Set(['deposit', 'charge', 'refund']);

/** The account as the API shows it: the balance derived from the ledger, money movements only. */
export function toAccountView({ customerId, entries }: Account) {
  return {
    customerId,
    balance: balanceOf(entries),
    transactions: entries
      .filter((e) => SHOWN.has(e.kind))
      .map(({ kind, amount, orderId, at }) => ({ kind, amount, ...(orderId === undefined ? {} : { orderId }), at })),
  };
}

export function accountRoutes(accounts: AccountStore): Router {
  const router = new Router({ prefix: '/accounts' });

  router.post('/:customerId/deposits', async (ctx) => {
    const customerId = ctx.params.customerId!;
    if (!CUSTOMER_ID.test(customerId)) throw new ValidationError('customerId has characters it may not have', 'INVALID_CUSTOMER_ID');
    const { amount } = parseDeposit(ctx.request.body);
    const account = await retryOnConflict(async () => accounts.append(await accounts.load(customerId), [deposit(amount)], new Date().toISOString()));
    ctx.status = 201;
    ctx.body = toAccountView(account);
  });

  router.get('/:customerId', async (ctx) => {
    const customerId = ctx.params.customerId!;
    const account = await accounts.load(customerId);
    if (account.version === 0) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account for ${customerId}`);
    ctx.body = toAccountView(account);
  });

  return router;
}
