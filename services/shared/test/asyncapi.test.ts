import { readFileSync } from 'node:fs';
import { ASYNCAPI_FILE, renderAsyncApi } from '../../../scripts/src/tools/asyncapi';
import { catalog } from '../src/events';

describe('AsyncAPI document', () => {
  test('docs/asyncapi.yaml is what the catalog generates (run `npm run asyncapi` after changing an event)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(renderAsyncApi());
  });

  test('every event appears with its schema and its producer', () => {
    const text = renderAsyncApi();
    for (const name of Object.keys(catalog)) expect(text).toContain(`eventmart.${name}.v1`);
    expect(text).toContain('order.sends.orders');
    expect(text).toContain('payment.receives.orders');
  });
});
