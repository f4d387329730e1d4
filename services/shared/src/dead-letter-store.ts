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
  /** Who replayed it, as the operator named themself (the admin token is one per service, not per person). */
  replayedBy?: string;
  /** The data that was replayed, when an operator corrected it (`data` stays as received). */
  replayedData?: unknown;
}

/** One page of dead letters, newest first; `next` is the cursor of the page after it. */
export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  next: string | undefined;
}

/** Letters an operator has yet to look at, or those replayed. */
export type DeadLetterState = 'waiting' | 'replayed';

export interface DeadLetterStore {
  record(cloudEvent: Record<string, unknown>): Promise<void>;
  list(page?: { after?: string | undefined; limit?: number; state?: DeadLetterState | undefined }): Promise<DeadLetterPage>;
  get(id: string): Promise<DeadLetter | undefined>;
  /** Records a successful replay: when, by whom, and the corrected data if there was one. */
  markReplayed(id: string, replay: { by: string; data?: unknown }): Promise<void>;
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
  /** The UTF-8 bytes of the JSON text kept (data and correction): what a page may hold is counted in them. */
  bytes?: number;
  /** Letters stored before the JSON text kept their data as a document. */
  data?: unknown;
  replayedData?: unknown;
}

const utf8Bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text));
const toStored = ({ data, ...letter }: DeadLetter): StoredLetter => {
  const dataJson = data === undefined ? undefined : JSON.stringify(data);
  return { ...letter, ...(dataJson === undefined ? {} : { dataJson }), bytes: utf8Bytes(dataJson) };
};
const fromStored = ({ dataJson, replayedDataJson, bytes: _bytes, ...letter }: StoredLetter): DeadLetter => ({
  ...letter,
  data: dataJson === undefined ? letter.data : JSON.parse(dataJson),
  ...(replayedDataJson === undefined ? {} : { replayedData: JSON.parse(replayedDataJson) }),
});

/** The most letters one page holds. */
export const DEAD_LETTER_PAGE_MAX = 1000;
/** The most letters one bulk re-drive takes: `npm run dlq -- replay <service> --all` sends them in batches. */
export const BULK_REPLAY_MAX = 100;
/**
 * The most data one page holds, as JSON text: a page ends before the letter that would go over
 * it (its first letter always fits, and a letter holds at most the 4 MB a sidecar delivers), so
 * a list never reads a thousand letters of megabytes each into memory.
 */
export const DEAD_LETTER_PAGE_BYTES = 1024 * 1024;
/** Replayed letters kept (the newest); a waiting letter is an event the shop accepted and is never removed. */
export const DEAD_LETTERS_REPLAYED_KEPT = 1000;

const cursorOf = (letter: Pick<DeadLetter, 'receivedAt' | 'id'>) => `${letter.receivedAt}|${letter.id}`;

export async function createDeadLetterStore(db: Db, { replayedKept = DEAD_LETTERS_REPLAYED_KEPT } = {}): Promise<DeadLetterStore> {
  const letters: Collection<StoredLetter> = db.collection('deadletters');
  await letters.createIndex({ id: 1 }, { unique: true });
  await letters.createIndex({ receivedAt: 1, id: 1 });
  await letters.createIndex({ replayedAt: 1 });
  const inState = (state: DeadLetterState | undefined) => (state === undefined ? {} : { replayedAt: { $exists: state === 'replayed' } });
  return {
    async record(cloudEvent) {
      try {
        await letters.insertOne(toStored(deadLetterOf(cloudEvent, new Date())));
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // the same letter twice: keep the first
      }
    },
    async list({ after, limit = DEAD_LETTER_PAGE_MAX, state } = {}) {
      // The cursor is the last letter's receivedAt and id: the next page starts right before it.
      const [at, id] = after === undefined ? [] : [after.slice(0, after.indexOf('|')), after.slice(after.indexOf('|') + 1)];
      const older = after === undefined ? {} : { $or: [{ receivedAt: { $lt: at } }, { receivedAt: at, id: { $lt: id } }] };
      const size = Math.min(Math.max(limit, 1), DEAD_LETTER_PAGE_MAX);
      // First the page's letters without their data, then the data of those that fit the page's bytes.
      const heads = await letters
        .find({ ...inState(state), ...older }, { projection: { _id: 0, id: 1, receivedAt: 1, bytes: 1 } })
        .sort({ receivedAt: -1, id: -1 })
        .limit(size + 1)
        .toArray();
      let bytes = 0;
      let fit = 0;
      for (const head of heads.slice(0, size)) {
        // A letter stored before its size was (up to 4 MB): a page of its own.
        bytes += head.bytes ?? DEAD_LETTER_PAGE_BYTES;
        if (fit > 0 && bytes > DEAD_LETTER_PAGE_BYTES) break;
        fit++;
      }
      const chosen = heads.slice(0, fit);
      const found = new Map(
        (await letters.find({ id: { $in: chosen.map((head) => head.id) } }, { projection: { _id: 0 } }).toArray()).map((letter) => [letter.id, letter]),
      );
      const page = chosen.flatMap((head) => (found.has(head.id) ? [fromStored(found.get(head.id)!)] : []));
      const last = chosen.at(-1);
      return { deadLetters: page, next: heads.length > fit && last ? cursorOf(last) : undefined };
    },
    async get(id) {
      const letter = await letters.findOne({ id }, { projection: { _id: 0 } });
      return letter ? fromStored(letter) : undefined;
    },
    async markReplayed(id, { by, data }) {
      const letter = await letters.findOne({ id }, { projection: { _id: 0, dataJson: 1, data: 1 } });
      if (!letter) return;
      const received = letter.dataJson ?? (letter.data === undefined ? '' : JSON.stringify(letter.data));
      const replayedDataJson = data === undefined ? undefined : JSON.stringify(data);
      const replay = { replayedAt: new Date().toISOString(), replayedBy: by, bytes: utf8Bytes(received) + utf8Bytes(replayedDataJson) };
      // What was replayed last: a replay without a correction replays the data as received.
      await letters.updateOne(
        { id },
        replayedDataJson === undefined
          ? { $set: replay, $unset: { replayedDataJson: '', replayedData: '' } }
          : { $set: { ...replay, replayedDataJson }, $unset: { replayedData: '' } },
      );
      // Keep the newest replayed letters only: what they were is in the services' logs too.
      const old = await letters
        .find({ replayedAt: { $exists: true } }, { projection: { _id: 0, id: 1 } })
        .sort({ replayedAt: -1, id: -1 })
        .skip(replayedKept)
        .toArray();
      if (old.length > 0) await letters.deleteMany({ id: { $in: old.map((letter) => letter.id) }, replayedAt: { $exists: true } });
    },
    async count() {
      const [all, replayed] = await Promise.all([letters.countDocuments({}), letters.countDocuments({ replayedAt: { $exists: true } })]);
      return { waiting: all - replayed, replayed };
    },
  };
}
