import Router from '@koa/router';
import { NotFoundError, ValidationError } from '@eventmart/shared/errors';
import { bodyValidator } from '@eventmart/shared/validate';
import { balanceOf, type Entry } from '../domain/ledger';
import type { LedgerStore } from '../store/ledger-store';
import { deposit } from '../use-cases/deposit';
import { customerIdSchema, depositRequestSchema } from './schemas';

const CUSTOMER_ID = new RegExp(customerIdSchema.pattern);
const parseDeposit = bodyValidator<{ amount: number }>(depositRequestSchema);

const SHOWN: ReadonlySet<Entry['kind']> = new Set(['deposit', 'charge', 'refund']);

/** The account as the API shows it: the balance derived from the ledger, money movements only. */
export function toAccountView(customerId: string, entries: readonly Entry[]) {
  return {
    customerId,
    balance: balanceOf(entries),
    transactions: entries
      .filter((e) => SHOWN.has(e.kind))
      .map(({ kind, amount, orderId, at }) => ({
        kind,
        amount,
        ...(orderId === undefined ? {} : { orderId }),
        at,
      })),
  };
}

export function accountRoutes(ledger: LedgerStore): Router {
  const router = new Router({ prefix: '/accounts' });

  router.post('/:customerId/deposits', async (ctx) => {
    const customerId = ctx.params.customerId!;
    if (!CUSTOMER_ID.test(customerId)) throw new ValidationError('INVALID_CUSTOMER_ID', 'customerId has characters it may not have');
    const { amount } = parseDeposit(ctx.request.body);
    const entries = await deposit(ledger, { customerId, amount });
    ctx.status = 201;
    ctx.body = toAccountView(customerId, entries);
  });

  router.get('/:customerId', async (ctx) => {
    const customerId = ctx.params.customerId!;
    const stream = await ledger.streams.read(customerId);
    if (stream.version === 0) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account for ${customerId}`);
    ctx.body = toAccountView(customerId, stream.events);
  });

  return router;
}
