import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Collection, Db } from 'mongodb';
import { ForbiddenError, HttpError, NotFoundError, UnprocessableError, ValidationError } from './errors';
import type { Logger } from './logger';
import { isDuplicateKey } from './mongo';
import { dispatch, sameSecret, type EventHandlers } from './pubsub';
import { bodyValidator } from './validate';

/** A CloudEvent this service dropped, as Dapr re-published it to the service's dead-letter topic. */
export interface DeadLetter {
  id: string;
  type: string;
  /** The app that published it: a replay is held to the same origin check as a delivery. */
  source: string | undefined;
  topic: string | undefined;
  data: unknown;
  receivedAt: string;
  replayedAt?: string;
  /** The data that was replayed, when an operator corrected it (`data` stays as received). */
  replayedData?: unknown;
}

/** One page of dead letters, oldest first; `next` is the cursor of the page after it. */
export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  next: string | undefined;
}

export interface DeadLetterStore {
  record(cloudEvent: Record<string, unknown>): Promise<void>;
  list(page?: { after?: string | undefined; limit?: number }): Promise<DeadLetterPage>;
  get(id: string): Promise<DeadLetter | undefined>;
  markReplayed(id: string, replayedData: unknown): Promise<void>;
  /** How many letters wait for an operator, and how many were replayed. */
  count(): Promise<{ waiting: number; replayed: number }>;
}

const PAGE_MAX = 1000;

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

export async function createDeadLetterStore(db: Db): Promise<DeadLetterStore> {
  const letters: Collection<DeadLetter> = db.collection('deadletters');
  await letters.createIndex({ id: 1 }, { unique: true });
  await letters.createIndex({ receivedAt: 1, id: 1 });
  return {
    async record(cloudEvent) {
      const letter: DeadLetter = {
        // Dapr always sets an id; a letter without one still gets its own, never a shared "undefined".
        id: typeof cloudEvent.id === 'string' && cloudEvent.id !== '' ? cloudEvent.id : randomUUID(),
        type: String(cloudEvent.type),
        source: typeof cloudEvent.source === 'string' ? cloudEvent.source : undefined,
        topic: typeof cloudEvent.topic === 'string' ? cloudEvent.topic : undefined,
        data: cloudEvent.data,
        receivedAt: new Date().toISOString(),
      };
      try {
        await letters.insertOne(letter);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // the same letter twice: keep the first
      }
    },
    async list({ after, limit = PAGE_MAX } = {}) {
      // The cursor is the last letter's receivedAt and id: the next page starts right after it.
      const [at, id] = after === undefined ? [] : [after.slice(0, after.indexOf('|')), after.slice(after.indexOf('|') + 1)];
      const filter = after === undefined ? {} : { $or: [{ receivedAt: { $gt: at } }, { receivedAt: at, id: { $gt: id } }] };
      const size = Math.min(Math.max(limit, 1), PAGE_MAX);
      const found = await letters
        .find(filter, { projection: { _id: 0 } })
        .sort({ receivedAt: 1, id: 1 })
        .limit(size + 1)
        .toArray();
      const page = found.slice(0, size);
      const last = page.at(-1);
      return { deadLetters: page, next: found.length > size && last ? `${last.receivedAt}|${last.id}` : undefined };
    },
    async get(id) {
      return (await letters.findOne({ id }, { projection: { _id: 0 } })) ?? undefined;
    },
    async markReplayed(id, replayedData) {
      await letters.updateOne({ id }, { $set: { replayedAt: new Date().toISOString(), ...(replayedData === undefined ? {} : { replayedData }) } });
    },
    async count() {
      const [all, replayed] = await Promise.all([letters.countDocuments({}), letters.countDocuments({ replayedAt: { $exists: true } })]);
      return { waiting: all - replayed, replayed };
    },
  };
}

/**
 * GET /deadletters lists what this service dropped, a page at a time (`?after=<next>&limit=`);
 * POST /deadletters/:id/replay runs one through the handlers again, optionally with corrected
 * `data`, and marks it replayed when it now succeeds, keeping what was replayed beside what
 * was received. A correction may mend an event, not change what it is about or what it
 * costs: the order and every amount stay as received.
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
    if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(String(limit))) throw new ValidationError('INVALID_LIMIT', `limit must be 1 to ${PAGE_MAX}`);
    if (after !== undefined && (typeof after !== 'string' || !after.includes('|')))
      throw new ValidationError('INVALID_CURSOR', 'after must be the next cursor of a page');
    ctx.body = await letters.list({ after, limit: limit === undefined ? PAGE_MAX : Number(limit) });
  });

  router.post('/:id/replay', async (ctx) => {
    const letter = await letters.get(ctx.params.id!);
    if (!letter) throw new NotFoundError('DEAD_LETTER_NOT_FOUND', `no dead letter ${ctx.params.id}`);
    const body = parseReplay(ctx.request.body ?? {});
    const corrected = 'data' in body;
    const data = corrected ? body.data : letter.data;
    if (corrected) {
      const changed = protectedChanges(letter.data, data);
      if (changed.length > 0) throw new ValidationError('PROTECTED_FIELD_CHANGED', `a correction must keep ${changed.join(', ')} as received`);
    }
    const status = await dispatch(handlers, { id: letter.id, type: letter.type, source: letter.source, data }, log, letter.topic);
    if (status !== 'SUCCESS') throw new UnprocessableError('REPLAY_FAILED', `the handler answered ${status}`);
    await letters.markReplayed(letter.id, corrected ? data : undefined);
    log.info({ eventId: letter.id, type: letter.type, corrected }, 'dead letter replayed');
    ctx.body = { id: letter.id, status };
  });

  return router;
}

/** What an event is about and what it costs: the order, and every amount of money in it. */
const PROTECTED = new Set(['orderId', 'customerId', 'amount', 'total', 'unitPrice', 'price']);

/** The paths of protected fields whose value a correction added, removed or changed. */
export function protectedChanges(received: unknown, corrected: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(received) && !isObject(corrected)) return [];
  const a = isObject(received) ? received : {};
  const b = isObject(corrected) ? corrected : {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => {
    const at = path === '' ? key : `${path}.${key}`;
    if (PROTECTED.has(key) && a[key] !== b[key]) return [at];
    return protectedChanges(a[key], b[key], at);
  });
}
