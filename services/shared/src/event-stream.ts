import type { Collection, Db } from 'mongodb';
import { ConcurrencyError, isDuplicateKey, retryOnConflict } from './mongo';

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
  /** Present (true) while `due` is: the equality FerretDB can find by index (it cannot push down `$lte`). */
  timer?: true;
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
  /** The collection it keeps its commits in (what its outbox is called in the metrics). */
  readonly name: string;
  read(stream: string): Promise<Stream<E>>;
  /**
   * The commits after `version`, oldest first, found by id alone (the commit that follows
   * version v is `<stream>:<v + 1>`): what a cached fold needs to catch up, at a cost that
   * does not grow with the stream. Usually none or one.
   */
  readAfter(stream: string, version: number): Promise<Commit<E>[]>;
  /** Appends at `expected` (the version read); throws ConcurrencyError if another writer got there first. */
  append(stream: string, expected: number, events: E[], options?: AppendOptions): Promise<Commit<E>>;
  /**
   * Calls `listener` with each commit this process appends, once its insert has landed: the
   * outbox relay publishes from here, without looking for the commit in the database.
   */
  onAppend(listener: (commit: Commit<E>) => void): void;
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
  await commits.createIndex({ timer: 1 });
  // Commits written before `timer` existed: one scan at start gives them the field.
  await commits.updateMany({ due: { $exists: true }, timer: { $exists: false } }, { $set: { timer: true } });
  const listeners: Array<(commit: Commit<E>) => void> = [];

  return {
    name: collection,
    async read(stream) {
      const found = await commits.find({ stream }).sort({ seq: 1 }).toArray();
      const events = found.flatMap((commit) => commit.events.map((event, i) => ({ ...event, seq: commit.seq + i })));
      const causes = new Set(found.flatMap((commit) => (commit.cause === undefined ? [] : [commit.cause])));
      return { stream, version: events.length, events, causes, commits: found };
    },
    async readAfter(stream, version) {
      const found: Commit<E>[] = [];
      for (let next = version + 1; ;) {
        const commit = await commits.findOne({ _id: commitId(stream, next) });
        if (!commit) return found;
        found.push(commit);
        next += commit.events.length;
      }
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
        ...(due === undefined ? {} : { due, timer: true as const }),
        at,
      };
      try {
        await commits.insertOne(commit);
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConcurrencyError(`stream ${stream} at ${seq}`);
        throw err;
      }
      for (const listener of listeners) listener(commit);
      return commit;
    },
    onAppend(listener) {
      listeners.push(listener);
    },
    async unpublished(limit = 500) {
      return commits.find({ published: false }).sort({ stream: 1, seq: 1 }).limit(limit).toArray();
    },
    async markPublished(id) {
      await commits.updateOne({ _id: id }, { $set: { published: true } });
    },
    async due(now, limit = 200) {
      return commits
        .find({ timer: true, due: { $lte: now } })
        .sort({ due: 1 })
        .limit(limit)
        .toArray();
    },
    async clearDue(id) {
      await commits.updateOne({ _id: id }, { $unset: { due: '', timer: '' } });
    },
    async streamIds() {
      return (await commits.distinct('stream')) as string[];
    },
  };
}

/** A fold of one stream, at the version it has folded up to. */
export type Folded<S> = S & { version: number };

/**
 * Each stream's fold, kept in memory and brought up to date by id (`readAfter`), so that a
 * decision costs the same on the millionth event of a stream as on the first. A stream is
 * folded from its start once per process (the first time it is asked for, or after it fell
 * out of the cache: at most `maxStreams` are kept, the least recently used go first), except
 * one this process started: its first commit is its whole history, so it is folded without a
 * read. Every commit this process appends to the store (through the cache or not) is folded
 * in as it lands. `apply` changes the state in place; the cache keeps `version`.
 */
export interface FoldCache<E, S> {
  /** The fold as of now: the cached one caught up (one lookup by id when nothing is new). */
  current(stream: string): Promise<Folded<S>>;
  /**
   * Read-decide-append until the append lands (optimistic concurrency). The first attempt
   * decides on the cached fold without a read: an append at a stale version fails, and the
   * retry catches up and decides again. A decision to append nothing has no append to check
   * it, so it is made again on the fold as of now. What this process appends is folded in,
   * so its next decision on the stream needs no read either.
   */
  decide<T>(stream: string, decide: (state: Folded<S>) => Decided<E, T>): Promise<T>;
  /** The fold as this process last knew it, without asking the database (undefined if not cached). */
  cached(stream: string): Folded<S> | undefined;
}

/** What a decision on a fold appends (nothing, when `events` is empty), and what it returns. */
export interface Decided<E, T> {
  result: T;
  events: E[];
  options?: AppendOptions;
}

export function createFoldCache<E, S>(
  store: EventStreamStore<E>,
  empty: (stream: string) => S,
  /** Folds one event in; `commit` is the commit it came in (its cause, its time). */
  apply: (state: Folded<S>, event: E, commit: Commit<E>) => void,
  maxStreams = 10_000,
): FoldCache<E, S> {
  const folds = new Map<string, Folded<S>>();
  const keep = (stream: string, state: Folded<S>) => {
    folds.delete(stream);
    folds.set(stream, state);
    if (folds.size > maxStreams) folds.delete(folds.keys().next().value!);
    return state;
  };
  const catchUp = (state: Folded<S>, commits: readonly Commit<E>[]) => {
    // Another caller may have caught up while this one read: apply each commit once, in order.
    for (const commit of commits) {
      if (commit.seq !== state.version + 1) continue;
      for (const event of commit.events) apply(state, event, commit);
      state.version += commit.events.length;
    }
    return state;
  };
  store.onAppend((commit) => {
    const known = folds.get(commit.stream);
    if (known) keep(commit.stream, catchUp(known, [commit]));
    else if (commit.seq === 1) keep(commit.stream, catchUp({ ...empty(commit.stream), version: 0 }, [commit]));
  });
  const cache: FoldCache<E, S> = {
    cached: (stream) => folds.get(stream),
    async current(stream) {
      const known = folds.get(stream);
      if (known) return keep(stream, catchUp(known, await store.readAfter(stream, known.version)));
      const { commits } = await store.read(stream);
      const fresh = catchUp({ ...empty(stream), version: 0 }, commits);
      const raced = folds.get(stream);
      return keep(stream, raced && raced.version >= fresh.version ? raced : fresh);
    },
    decide(stream, decide) {
      let caughtUp = false;
      return retryOnConflict(async () => {
        const cached = caughtUp ? undefined : folds.get(stream);
        let state = cached ?? (await cache.current(stream));
        let decided = decide(state);
        // A fold read just now is current; only a cached one is caught up before deciding nothing.
        if (decided.events.length === 0 && cached) decided = decide((state = await cache.current(stream)));
        caughtUp = true;
        // What lands is folded in by the store's onAppend (above).
        if (decided.events.length > 0) await store.append(stream, state.version, decided.events, decided.options);
        return decided.result;
      });
    },
  };
  return cache;
}
