import { buildOpenApiDocument, pathParam, ref, type OpenApiDocument } from '@eventmart/shared/openapi';
import { accountSchema, customerIdSchema, depositRequestSchema } from './schemas';

/** The payment service's OpenAPI document: `npm run openapi` writes it to docs/openapi/payment.json; the service serves it at /openapi.json. */
export function buildOpenApi(): OpenApiDocument {
  return buildOpenApiDocument({
    service: 'payment',
    port: 3001,
    description:
      'Customer accounts, each an event-sourced ledger of deposits, charges and refunds. Orders are charged and refunded by events (order.placed, order.cancelled), never through this API; it deposits money and shows the account.',
    schemas: { Account: accountSchema },
    deadLetters: true,
    routes: {
      'POST /accounts/{customerId}/deposits': {
        operationId: 'deposit',
        summary: "Adds money to the customer's account, opening it if need be.",
        parameters: [pathParam('customerId', customerIdSchema, 'The customer.')],
        body: depositRequestSchema,
        responses: { 201: { description: 'Deposited: the account as it now stands.', schema: ref('Account') } },
        errors: { 400: { INVALID_CUSTOMER_ID: 'customerId has characters it may not have' } },
      },
      'GET /accounts/{customerId}': {
        operationId: 'getAccount',
        summary: 'The balance and every money movement.',
        parameters: [pathParam('customerId', { type: 'string', minLength: 1 }, 'The customer.')],
        responses: { 200: { description: 'The account.', schema: ref('Account') } },
        errors: { 404: { ACCOUNT_NOT_FOUND: 'no account for that customer: nothing was ever deposited or charged' } },
      },
    },
  });
}
