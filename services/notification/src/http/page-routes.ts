import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';

const PUBLIC = join(__dirname, '..', '..', 'public');

/** The page's files: a fixed list, so no request path ever reaches the file system. */
export const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export interface PageConfig {
  /** Where the browser reaches the order API and the payment API (CORS allows the page). */
  orderApiUrl: string;
  paymentApiUrl: string;
  /** Where the browser reaches the trace backend's query API (Jaeger); '' shows no traces. */
  traceUrl: string;
}

/** GET / is the shop page (with its script and style); /config.json tells it where the APIs are. */
export function pageRoutes(config: PageConfig): Router {
  const router = new Router();
  for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
    router.get(path, async (ctx) => {
      ctx.type = type;
      // Small files, read per request: an edited page shows on reload, and nothing is cached stale.
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(join(PUBLIC, file));
    });
  }
  router.get('/config.json', (ctx) => {
    ctx.body = {
      orderApiUrl: config.orderApiUrl,
      paymentApiUrl: config.paymentApiUrl,
      traceUrl: config.traceUrl,
    };
  });
  return router;
}
