import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';

const PUBLIC = join(__dirname, '..', '..', 'public');

/** GET / is the shop page; /config.json tells it where the order API is. */
export function pageRoutes(orderApiUrl: string): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await readFile(join(PUBLIC, 'index.html'));
  });
  router.get('/config.json', (ctx) => {
    ctx.body = { orderApiUrl };
  });
  return router;
}
