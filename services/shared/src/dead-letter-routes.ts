import Router from '@koa/router';
import { BULK_REPLAY_MAX, DEAD_LETTER_PAGE_MAX, type DeadLetterState, type DeadLetterStore } from './dead-letter-store';
import { ForbiddenError, HttpError, ValidationError } from './errors';
import type { Logger } from './logger';
import { sameSecret, type EventHandlers } from './pubsub';
import { replayDeadLetter, replayDeadLetters } from './replay-dead-letter';
import { bodyValidator } from './validate';

/** Who replays, as the operator names themself: recorded with the replay (`replayedBy`). */
const by = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'Who replays (a name, an email): recorded with the replay. Without it, "admin".',
} as const;

/** The body of POST /deadletters/:id/replay: nothing, or the corrected `data` to replay instead; who replays. */
export const replayRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { data: { description: 'The corrected data; without it the data as received is replayed.' }, by },
} as const;

export const replayResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { const: 'SUCCESS' } },
} as const;

/** The body of POST /deadletters/replay: the letters to re-drive as received. */
export const bulkReplayRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ids'],
  properties: {
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: BULK_REPLAY_MAX,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 1000 },
      description: 'The dead letters to replay, in this order.',
    },
    by,
  },
} as const;

export const bulkReplayResultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'status'],
        properties: {
          id: { type: 'string' },
          status: { enum: ['SUCCESS', 'FAILED'] },
          error: {
            type: 'object',
            additionalProperties: false,
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
            description: 'Why it failed (FAILED only): what POST /deadletters/{id}/replay would answer.',
          },
        },
      },
    },
  },
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
          replayedBy: { type: 'string', description: 'Who replayed it, as they named themself.' },
          replayedData: { description: 'What was replayed, when an operator corrected it.' },
        },
      },
    },
    next: { type: 'string', description: 'The cursor of the page after this one: `?after=<next>`.' },
  },
} as const;

/**
 * GET /deadletters lists what this service dropped, newest first, a page at a time
 * (`?after=<next>&limit=&state=`); POST /deadletters/:id/replay runs one through the handlers
 * again, optionally with corrected `data`; POST /deadletters/replay re-drives several as
 * received (replay-dead-letter.ts). Each replay records who made it.
 */
export function deadLetterRoutes(letters: DeadLetterStore, handlers: EventHandlers, adminToken: string | undefined, log: Logger): Router {
  const router = new Router({ prefix: '/deadletters' });
  const parseReplay = bodyValidator<{ data?: unknown; by?: string }>(replayRequestSchema);
  const parseBulk = bodyValidator<{ ids: string[]; by?: string }>(bulkReplayRequestSchema);

  // An operator's tool, not a public API: every call carries the admin token. (Not "from
  // loopback": everything a sidecar forwards arrives from loopback too.)
  router.use(async (ctx, next) => {
    if (!adminToken) throw new ForbiddenError('ADMIN_DISABLED', 'dead letters are closed: this service has no ADMIN_TOKEN');
    const given = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1] ?? '';
    if (!sameSecret(given, adminToken)) throw new HttpError(401, 'UNAUTHORIZED', 'dead letters need Authorization: Bearer <admin token>');
    await next();
  });

  router.get('/', async (ctx) => {
    const { after, limit, state } = ctx.query;
    if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(String(limit))) throw new ValidationError('INVALID_LIMIT', `limit must be 1 to ${DEAD_LETTER_PAGE_MAX}`);
    if (after !== undefined && (typeof after !== 'string' || !after.includes('|')))
      throw new ValidationError('INVALID_CURSOR', 'after must be the next cursor of a page');
    if (state !== undefined && state !== 'waiting' && state !== 'replayed') throw new ValidationError('INVALID_STATE', 'state must be waiting or replayed');
    ctx.body = await letters.list({ after, limit: limit === undefined ? DEAD_LETTER_PAGE_MAX : Number(limit), state: state as DeadLetterState | undefined });
  });

  router.post('/replay', async (ctx) => {
    const body = parseBulk(ctx.request.body ?? {});
    ctx.body = { results: await replayDeadLetters({ letters, handlers, log }, { ids: body.ids, by: body.by ?? 'admin' }) };
  });

  router.post('/:id/replay', async (ctx) => {
    const id = ctx.params.id!;
    const body = parseReplay(ctx.request.body ?? {});
    await replayDeadLetter({ letters, handlers, log }, { id, by: body.by ?? 'admin', ...('data' in body ? { correction: { data: body.data } } : {}) });
    ctx.body = { id, status: 'SUCCESS' };
  });

  return router;
}
