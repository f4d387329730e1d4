import type { Commit, EventStreamStore } from '@eventmart/shared/event-stream';
import { ConcurrencyError } from '@eventmart/shared/mongo';

/** MongoDB orders strings by their UTF-8 bytes (no collation), not by locale. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * An in-memory EventStreamStore for unit tests of handlers: the same contract as the
 * MongoDB one (an append at a taken position fails with ConcurrencyError), so handlers
 * can be driven through interleavings without a database. What it answers are copies, as
 * documents off the wire are; test/integration/event-stream.test.ts runs the same
 * generated operations on it and on the real store and expects the same answers. Another
 * replica's store over the same database: `memoryEventStreamStore(name, store.commits)` (its
 * own `onAppend` listeners, as another process has).
 */

export function memoryEventStreamStore<E>(name = 'memory', commits = new Map<string, Commit<E>>()): EventStreamStore<E> & { commits: Map<string, Commit<E>> } {
  const listeners: Array<(commit: Commit<E>) => void> = [];
  const copies = (found: Iterable<Commit<E>>) => [...found].map((commit) => structuredClone(commit));
  const ofStream = (stream: string) => copies([...commits.values()].filter((c) => c.stream === stream).sort((a, b) => a.seq - b.seq));
  return {
    name,
    commits,
    async read(stream) {
      await Promise.resolve(); // a read is asynchronous, as over the wire: others may interleave
      const found = ofStream(stream);
      const events = found.flatMap((c) => c.events.map((e, i) => ({ ...e, seq: c.seq + i })));
      return { stream, version: events.length, events, causes: new Set(found.flatMap((c) => (c.cause ? [c.cause] : []))), commits: found };
    },
    async readAfter(stream, version) {
      await Promise.resolve();
      const found: Commit<E>[] = [];
      // By id, as the real store: each commit names where the next one starts.
      for (let next = commits.get(`${stream}:${version + 1}`); next; next = commits.get(`${stream}:${next.seq + next.events.length}`)) {
        found.push(next);
      }
      return copies(found);
    },
    async append(stream, expected, events, { cause, outbox, due, at = new Date().toISOString() } = {}) {
      await Promise.resolve();
      const id = `${stream}:${expected + 1}`;
      if (commits.has(id)) throw new ConcurrencyError(id);
      const commit: Commit<E> = {
        _id: id,
        stream,
        seq: expected + 1,
        events,
        at,
        ...(cause ? { cause } : {}),
        ...(outbox ? { published: false } : {}),
        ...(due === undefined ? {} : { due, timer: true as const }),
      };
      commits.set(id, structuredClone(commit));
      for (const listener of listeners) listener(commit);
      return commit;
    },
    onAppend(listener) {
      listeners.push(listener);
    },
    async unpublished(limit = 500) {
      return copies(
        [...commits.values()]
          .filter((c) => c.published === false)
          .sort((a, b) => byBytes(a.stream, b.stream) || a.seq - b.seq)
          .slice(0, limit),
      );
    },
    async markPublished(id) {
      const commit = commits.get(id);
      if (commit) commit.published = true;
    },
    async due(now, limit = 200) {
      return copies(
        [...commits.values()]
          .filter((c) => c.timer && c.due! <= now)
          .sort((a, b) => a.due! - b.due!)
          .slice(0, limit),
      );
    },
    async clearDue(id) {
      const commit = commits.get(id);
      if (commit) {
        delete commit.due;
        delete commit.timer;
      }
    },
    async streamIds() {
      return [...new Set([...commits.values()].map((c) => c.stream))];
    },
  };
}
