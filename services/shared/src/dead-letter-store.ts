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

/**
 * The letter a dropped CloudEvent becomes. Dapr always sets an id; a letter without one still
 * gets its own, never a shared "undefined".
 */
export function deadLetterOf(cloudEvent: Record<string, unknown>, receivedAt: Date): DeadLetter {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    id: text(cloudEvent.id) ?? randomUUID(),
    type: String(cloudEvent.type),
    source: text(cloudEvent.source),
    topic: text(cloudEvent.topic),
    data: cloudEvent.data,
    receivedAt: receivedAt.toISOString(),
  };
}

/**
 * A letter as the database keeps it: its data (and a correction) as JSON text, because a dropped
 * event's data can be anything JSON is, and the database cannot hold all of it (FerretDB refuses
 * nested arrays and a NUL character; MongoDB, keys that start with $). A letter that could not be
 * stored would be redelivered without end.
 */
interface StoredLetter extends Omit<DeadLetter, 'data' | 'replayedData'> {
  dataJson?: string;
  replayedDataJson?: string;
  /** Letters stored before the JSON text kept their data as a document. */
  data?: unknown;
  replayedData?: unknown;
}

const toStored = ({ data, ...letter }: DeadLetter): StoredLetter => ({ ...letter, ...(data === undefined ? {} : { dataJson: JSON.stringify(data) }) });
const fromStored = ({ dataJson, replayedDataJson, ...letter }: StoredLetter): DeadLetter => ({
  ...letter,
  data: dataJson === undefined ? letter.data : JSON.parse(dataJson),
  ...(replayedDataJson === undefined ? {} : { replayedData: JSON.parse(replayedDataJson) }),
});

/** The most letters one page holds. */
export const DEAD_LETTER_PAGE_MAX = 1000;

export async function createDeadLetterStore(db: Db): Promise<DeadLetterStore> {
  const letters: Collection<StoredLetter> = db.collection('deadletters');
  await letters.createIndex({ id: 1 }, { unique: true });
  await letters.createIndex({ receivedAt: 1, id: 1 });
  return {
    async record(cloudEvent) {
      try {
        await letters.insertOne(toStored(deadLetterOf(cloudEvent, new Date())));
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
      const page = found.slice(0, size).map(fromStored);
      const last = page.at(-1);
      return { deadLetters: page, next: found.length > size && last ? `${last.receivedAt}|${last.id}` : undefined };
    },
    async get(id) {
      const letter = await letters.findOne({ id }, { projection: { _id: 0 } });
      return letter ? fromStored(letter) : undefined;
    },
    async markReplayed(id, replayedData) {
      const correction = replayedData === undefined ? {} : { replayedDataJson: JSON.stringify(replayedData) };
      await letters.updateOne({ id }, { $set: { replayedAt: new Date().toISOString(), ...correction } });
    },
    async count() {
      const [all, replayed] = await Promise.all([letters.countDocuments({}), letters.countDocuments({ replayedAt: { $exists: true } })]);
      return { waiting: all - replayed, replayed };
    },
  };
}
