import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from './mongo';

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

/** The most letters one page holds. */
export const DEAD_LETTER_PAGE_MAX = 1000;

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
    async list({ after, limit = DEAD_LETTER_PAGE_MAX } = {}) {
      // The cursor is the last letter's receivedAt and id: the next page starts right after it.
      const [at, id] = after === undefined ? [] : [after.slice(0, after.indexOf('|')), after.slice(after.indexOf('|') + 1)];
      const filter = after === undefined ? {} : { $or: [{ receivedAt: { $gt: at } }, { receivedAt: at, id: { $gt: id } }] };
      const size = Math.min(Math.max(limit, 1), DEAD_LETTER_PAGE_MAX);
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
