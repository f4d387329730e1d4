import { ConcurrencyError, type Commit, type EventStreamStore } from '@eventmart/shared';

/**
 * An in-memory EventStreamStore for unit tests of handlers: the same contract as the
 * MongoDB one (an append at a taken position fails with ConcurrencyError), so handlers
 * can be driven through interleavings without a database.
 */
export function memoryEventStreamStore<E>(name = 'memory'): EventStreamStore<E> & { commits: Map<string, Commit<E>> } {
  const commits = new Map<string, Commit<E>>();
  const listeners: Array<(commit: Commit<E>) => void> = [];
  const ofStream = (stream: string) => [...commits.values()].filter((c) => c.stream === stream).sort((a, b) => a.seq - b.seq);
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
      return ofStream(stream).filter((c) => c.seq > version);
    },
    async append(stream, expected, events, { cause, outbox, due, at = 'now' } = {}) {
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
        ...(due ? { due } : {}),
      };
      commits.set(id, commit);
      for (const listener of listeners) listener(commit);
      return commit;
    },
    onAppend(listener) {
      listeners.push(listener);
    },
    async unpublished() {
      return [...commits.values()].filter((c) => c.published === false).sort((a, b) => a.stream.localeCompare(b.stream) || a.seq - b.seq);
    },
    async markPublished(id) {
      const commit = commits.get(id);
      if (commit) commit.published = true;
    },
    async due(now) {
      return [...commits.values()].filter((c) => c.due !== undefined && c.due <= now).sort((a, b) => a.due! - b.due!);
    },
    async clearDue(id) {
      const commit = commits.get(id);
      if (commit) delete commit.due;
    },
    async streamIds() {
      return [...new Set([...commits.values()].map((c) => c.stream))];
    },
  };
}
