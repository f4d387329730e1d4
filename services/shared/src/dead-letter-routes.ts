import Router from '@koa/router';
import { DEAD_LETTER_PAGE_MAX, type DeadLetterStore } from './dead-letter-store';
import { ForbiddenError, HttpError, ValidationError } from './errors';
import type { Logger } from './logger';
import { sameSecret, type EventHandlers } from './pubsub';
import { replayDeadLetter } from './replay-dead-letter';
import { bodyValidator } from './validate';

/** The body of POST /deadletters/:id/replay: nothing, or the corrected `data` to replay instead. */
export const replayRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { data: { description: 'The corrected data; without it the data as received is replayed.' } },
} as const;

export const replayResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { const: 'SUCCESS' } },
} as const;

const at = { type: 'string', format: 'date-time' } as const;

/** GET /deadletters: a page of DeadLetter, `next` while more follow. */
export const deadLetterPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['deadLetters'],
  properties: {
    deadLetters: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'receivedAt'],
        properties: {
          id: { type: 'string' },
          type: { type: 'string', description: 'The CloudEvent type, as received.' },
          source: { type: ['string', 'null'], description: 'The app that published it.' },
          topic: { type: ['string', 'null'] },
          data: { description: 'As received.' },
          receivedAt: at,
          replayedAt: at,
          replayedData: { description: 'What was replayed, when an operator corrected it.' },
        },
      },
    },
    next: { type: 'string', description: 'The cursor of the page after this one: `?after=<next>`.' },
  },
} as const;

/**
 * GET /deadletters lists what this service dropped, a page at a time (`?after=<next>&limit=`);
 * POST /deadletters/:id/replay runs one through the handlers again, optionally with corrected
 * `data` (replay-dead-letter.ts).
 */
export function deadLetterRoutes(letters: DeadLetterStore, handlers: EventHandlers, adminToken: string | undefined, log: Logger): Router {
  const router = new Router({ prefix: '/deadletters' });
  const parseReplay = bodyValidator<{ data?: unknown }>(replayRequestSchema);

  // An operator's tool, not a public API: every call carries the admin token. (Not "from
  // loopback": everything a sidecar forwards arrives from loopback too.)
  router.use(async (ctx, next) => {
    if (!adminToken) throw new ForbiddenError('ADMIN_DISABLED', 'dead letters are closed: this service has no ADMIN_TOKEN');
    const given = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1] ?? '';
    if (!sameSecret(given, adminToken)) throw new HttpError(401, 'UNAUTHORIZED', 'dead letters need Authorization: Bearer <admin token>');
    await next();
  });

  router.get('/', async (ctx) => {
    const { after, limit } = ctx.query;
    if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(String(limit))) throw new ValidationError('INVALID_LIMIT', `limit must be 1 to ${DEAD_LETTER_PAGE_MAX}`);
    if (after !== undefined && (typeof after !== 'string' || !after.includes('|')))
      throw new ValidationError('INVALID_CURSOR', 'after must be the next cursor of a page');
    ctx.body = await letters.list({ after, limit: limit === undefined ? DEAD_LETTER_PAGE_MAX : Number(limit) });
  });

  router.post('/:id/replay', async (ctx) => {
    const id = ctx.params.id!;
    const body = parseReplay(ctx.request.body ?? {});
    await replayDeadLetter({ letters, handlers, log }, { id, ...('data' in body ? { correction: { data: body.data } } : {}) });
    ctx.body = { id, status: 'SUCCESS' };
  });

  return router;
}
