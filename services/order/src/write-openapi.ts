/** `npm run openapi`: writes docs/openapi/order.json, this service's HTTP API as src/http/openapi.ts describes it. */
import { writeOpenApi } from '@eventmart/shared/openapi';
import { buildOpenApi } from './http/openapi';

writeOpenApi('order', buildOpenApi());
