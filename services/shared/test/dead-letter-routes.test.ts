import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { deadLetterRoutes } from '../src/dead-letter-routes';
import type { DeadLetterStore } from '../src/dead-letter-store';
import { errorHandler } from '../src/errors';

const log = pino({ level: 'silent' });
const letters: DeadLetterStore = {
  record: async () => {},
  list: async () => ({ deadLetters: [], next: undefined }),
  get: async () => undefined,
  markReplayed: async () => {},
  count: async () => ({ waiting: 0, replayed: 0 }),
};

/** GET /deadletters on an app with that admin token, with that Authorization header. */
async function list(adminToken: string | undefined, authorization?: string) {
  const app = new Koa();
  app.use(errorHandler(log));
  const router = deadLetterRoutes(letters, {}, adminToken, log);
  app.use(router.routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/deadletters`, { headers: authorization ? { authorization } : {} });
    return { status: response.status, body: await response.json() };
  } finally {
    server.close();
  }
}

describe('the dead-letter admin routes', () => {
  test('when the caller shows the admin token, then they answer', async () => {
    expect(await list('s3cret', 'Bearer s3cret')).toEqual({ status: 200, body: { deadLetters: [] } });
  });

  test('when the token is missing or wrong, then 401, even from loopback (a sidecar forwards from there too)', async () => {
    expect((await list('s3cret')).status).toBe(401);
    expect(await list('s3cret', 'Bearer guess')).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } } });
  });

  test('when the service has no admin token, then they are closed', async () => {
    expect((await list(undefined, 'Bearer anything')).body.error.code).toBe('ADMIN_DISABLED');
  });
});
