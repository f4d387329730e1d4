import type { Collection, Db } from 'mongodb';
import { ConcurrencyError, isDuplicateKey } from './mongo';

/**
 * An append-only store of event streams, correct on MongoDB and on FerretDB alike.
 *
 * FerretDB 1.x applies an update by reading the document, changing it in Go and writing
 * the whole document back by `_id`: a conditional update is not atomic, and two
 * concurrent updates of one document can lose one of them. The one write that is atomic
 * everywhere is an insert against a unique key. So every decision is an insert: a
 * *commit* holds the events one decision appended, under the id `<stream>:<first seq>`.
 * Two writers that read the same version race for the same id; the loser gets a
 * ConcurrencyError, reads again and decides again (optimistic concurrency).
 *
 * A commit also carries the id of the event that caused it (idempotent consumers: the
 * cause is recorded in the same write as its effect) and, when its events are to be
 * published, `published: false` (the outbox mark, in the same single-document write).
 * The only later change to a commit is that mark flipping to true, which is harmless to
 * repeat or to lose (a lost mark means one more publish with the same event id).
 */
export interface Commit<E> {
  _id: string;
  stream: string;
  /** The sequence number of the first event in this commit; events are numbered from 1. */
  seq: number;
  events: E[];
  cause?: string;
  /** Present when the commit's events go out through the outbox. */
  published?: boolean;
  /** When a timer should act on this commit (epoch ms); removed once it has. */
  due?: number;
  at: string;
}

export interface Stream<E> {
  stream: string;
  /** The number of events: the version the next append expects. */
  version: number;
  events: Array<E & { seq: number }>;
  /** The ids of the events already handled by this stream. */
  causes: Set<string>;
  commits: Commit<E>[];
}

export interface AppendOptions {
  cause?: string;
  /** Marks the commit unpublished: the relay will publish its events. */
  outbox?: boolean;
  /** Wakes a timer at this time (epoch ms): see `due()`. */
  due?: number;
  at?: string;
}

export interface EventStreamStore<E> {
  read(stream: string): Promise<Stream<E>>;
  /** Appends at `expected` (the version read); throws ConcurrencyError if another writer got there first. */
  append(stream: string, expected: number, events: E[], options?: AppendOptions): Promise<Commit<E>>;
  /** Unpublished commits, oldest stream position first. */
  unpublished(limit?: number): Promise<Commit<E>[]>;
  markPublished(commitId: string): Promise<void>;
  /** Commits whose `due` time has come, oldest first. */
  due(now: number, limit?: number): Promise<Commit<E>[]>;
  /** Takes the timer off a commit (like the outbox mark, harmless to repeat or to lose). */
  clearDue(commitId: string): Promise<void>;
  /** Every stream id, for a replay. */
  streamIds(): Promise<string[]>;
}

export function commitId(stream: string, seq: number): string {
  return `${stream}:${seq}`;
}

export async function createEventStreamStore<E>(db: Db, collection: string): Promise<EventStreamStore<E>> {
  const commits: Collection<Commit<E>> = db.collection(collection);
  await commits.createIndex({ stream: 1, seq: 1 });
  await commits.createIndex({ published: 1 });
  await commits.createIndex({ due: 1 });

  return {
    async read(stream) {
      const found = await commits.find({ stream }).sort({ seq: 1 }).toArray();
      const events = found.flatMap((commit) => commit.events.map((event, i) => ({ ...event, seq: commit.seq + i })));
      const causes = new Set(found.flatMap((commit) => (commit.cause === undefined ? [] : [commit.cause])));
      return { stream, version: events.length, events, causes, commits: found };
    },
    async append(stream, expected, events, { cause, outbox = false, due, at = new Date().toISOString() } = {}) {
      const seq = expected + 1;
      const commit: Commit<E> = {
        _id: commitId(stream, seq),
        stream,
        seq,
        events,
        ...(cause === undefined ? {} : { cause }),
        ...(outbox ? { published: false } : {}),
        ...(due === undefined ? {} : { due }),
        at,
      };
      try {
        await commits.insertOne(commit);
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConcurrencyError(`stream ${stream} at ${seq}`);
        throw err;
      }
      return commit;
    },
    async unpublished(limit = 500) {
      return commits.find({ published: false }).sort({ stream: 1, seq: 1 }).limit(limit).toArray();
    },
    async markPublished(id) {
      await commits.updateOne({ _id: id }, { $set: { published: true } });
    },
    async due(now, limit = 200) {
      return commits.find({ due: { $lte: now } }).sort({ due: 1 }).limit(limit).toArray();
    },
    async clearDue(id) {
      await commits.updateOne({ _id: id }, { $unset: { due: '' } });
    },
    async streamIds() {
      return (await commits.distinct('stream')) as string[];
    },
  };
}
