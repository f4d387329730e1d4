import { dateTime } from '@eventmart/shared/openapi';
import { catalog } from '@eventmart/shared/events';

/** A customer id in a path that opens an account: what account-routes.ts checks and openapi.ts documents. */
export const customerIdSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } as const;

/** The body of POST /accounts/:customerId/deposits. */
export const depositRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  properties: {
    amount: { type: 'integer', minimum: 1, maximum: 1_000_000_000, description: 'Cents.' },
  },
} as const;

const payment = catalog['payment.succeeded'].schema.properties;

/** An account as the API shows it (toAccountView): the balance and the money movements, oldest first. */
export const accountSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'balance', 'transactions'],
  properties: {
    customerId: payment.customerId,
    balance: { type: 'integer', minimum: 0, description: 'Cents: deposits and refunds less charges.' },
    transactions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'amount', 'at'],
        properties: {
          kind: { enum: ['deposit', 'charge', 'refund'] },
          amount: payment.amount,
          orderId: { ...payment.orderId, description: 'The order charged or refunded.' },
          at: dateTime,
        },
      },
    },
  },
};
