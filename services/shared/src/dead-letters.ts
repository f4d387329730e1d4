import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Collection, Db } from 'mongodb';
import { ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from './errors';
import type { Logger } from './logger';
import { isDuplicateKey } from './mongo';
import { dispatch, type EventHandlers } from './pubsub';
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
}

export interface DeadLetterStore {
  record(cloudEvent: Record<string, unknown>): Promise<void>;
  list(): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | undefined>;
  markReplayed(id: string): Promise<void>;
}

export async function createDeadLetterStore(db: Db): Promise<DeadLetterStore> {
  const letters: Collection<DeadLetter> = db.collection('deadletters');
  await letters.createIndex({ id: 1 }, { unique: true });
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
    async list() {
      return letters.find({}, { projection: { _id: 0 } }).sort({ receivedAt: 1 }).limit(1000).toArray();
    },
    async get(id) {
      return (await letters.findOne({ id }, { projection: { _id: 0 } })) ?? undefined;
    },
    async markReplayed(id) {
      await letters.updateOne({ id }, { $set: { replayedAt: new Date().toISOString() } });
    },
  };
}

/**
 * GET /deadletters lists what this service dropped; POST /deadletters/:id/replay runs one
 * through the handlers again, optionally with corrected `data`, and marks it replayed
 * when it now succeeds.
 */
export function deadLetterRoutes(letters: DeadLetterStore, handlers: EventHandlers, log: Logger): Router {
  const router = new Router({ prefix: '/deadletters' });
  const parseReplay = bodyValidator<{ data?: unknown }>({
    type: 'object',
    additionalProperties: false,
    properties: { data: {} },
  });

  // An operator's tool, not a public API: only from this machine (or, in the cluster, through
  // `kubectl port-forward`, which arrives on the pod's loopback).
  router.use(async (ctx, next) => {
    if (!isLoopback(ctx.ip)) throw new ForbiddenError('ADMIN_ONLY', 'dead letters are managed from the host itself');
    await next();
  });

  router.get('/', async (ctx) => {
    ctx.body = { deadLetters: await letters.list() };
  });

  router.post('/:id/replay', async (ctx) => {
    const letter = await letters.get(ctx.params.id!);
    if (!letter) throw new NotFoundError('DEAD_LETTER_NOT_FOUND', `no dead letter ${ctx.params.id}`);
    const { data = letter.data } = parseReplay(ctx.request.body ?? {});
    // A correction mends the event; it may not turn it into a fact about another order.
    const orderIdOf = (value: unknown) => (value as { orderId?: unknown } | null)?.orderId;
    if (orderIdOf(letter.data) !== undefined && orderIdOf(data) !== orderIdOf(letter.data)) {
      throw new ValidationError('a corrected event must keep its orderId', 'ORDER_ID_CHANGED');
    }
    const status = await dispatch(handlers, { id: letter.id, type: letter.type, source: letter.source, data }, log, letter.topic);
    if (status !== 'SUCCESS') throw new UnprocessableError('REPLAY_FAILED', `the handler answered ${status}`);
    await letters.markReplayed(letter.id);
    ctx.body = { id: letter.id, status };
  });

  return router;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
