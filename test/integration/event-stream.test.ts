// The in-memory event-stream store that the unit tests drive handlers with answers as the
// real one does on the real database (FerretDB on PostgreSQL): the same generated
// operations on both give the same answers, so a unit test on the memory store tells the
// truth about the service.
import fc from 'fast-check';
import type { Db } from 'mongodb';
import { createEventStreamStore, type EventStreamStore } from '@eventmart/shared/event-stream';
import { ConcurrencyError } from '@eventmart/shared/mongo';
import { memoryEventStreamStore } from '../../services/shared/test/memory-event-stream';
import { useDatabase } from '../support/database';

type E = { n: number };
// Mixed case on purpose: MongoDB orders strings by their bytes, not by locale.
const STREAM = fc.constantFrom('a', 'B', 'b', 'c-1');
const op = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    stream: STREAM,
    // Mostly at the stream's version (lands), sometimes at an older one (conflicts).
    behind: fc.constantFrom(0, 0, 0, 1),
    events: fc.integer({ min: 1, max: 3 }),
    cause: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    outbox: fc.boolean(),
    due: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('read' as const), stream: STREAM }),
  fc.record({ kind: fc.constant('readAfter' as const), stream: STREAM, version: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('unpublished' as const), limit: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('markPublished' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('due' as const), now: fc.integer({ min: 0, max: 40 }), limit: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('clearDue' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('streamIds' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Runs the operations on one store; what each answered, as plain data. */
async function run(store: EventStreamStore<E>, ops: readonly Op[]): Promise<unknown[]> {
  const answers: unknown[] = [];
  const ids: string[] = [];
  let n = 0;
  let clock = 0;
  for (const o of ops) {
    switch (o.kind) {
      case 'append': {
        const { version } = await store.read(o.stream);
        const events = Array.from({ length: o.events }, () => ({ n: ++n }));
        // Each timer a distinct time, so "oldest first" is one order on both.
        const options = { outbox: o.outbox, at: `t${n}`, ...(o.cause ? { cause: o.cause } : {}), ...(o.due ? { due: ++clock * 3 } : {}) };
        try {
          const commit = await store.append(o.stream, Math.max(0, version - o.behind), events, options);
          ids.push(commit._id);
          answers.push({ appended: commit });
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
          answers.push('conflict');
        }
        break;
      }
      case 'read': {
        const { causes, ...stream } = await store.read(o.stream);
        answers.push({ ...stream, causes: [...causes].sort() });
        break;
      }
      case 'readAfter':
        answers.push(await store.readAfter(o.stream, o.version));
        break;
      case 'unpublished':
        answers.push(await store.unpublished(o.limit));
        break;
      case 'markPublished':
        if (ids.length > 0) await store.markPublished(ids[o.pick % ids.length]!);
        break;
      case 'due':
        answers.push(await store.due(o.now, o.limit));
        break;
      case 'clearDue':
        if (ids.length > 0) await store.clearDue(ids[o.pick % ids.length]!);
        break;
      case 'streamIds':
        answers.push((await store.streamIds()).sort());
        break;
    }
  }
  return answers;
}

describe('the in-memory event-stream store', () => {
  const client = useDatabase('event-stream');
  let db: Db;

  beforeAll(() => {
    db = client().db('equivalence');
  });

  test('answers every sequence of operations as the store on the real database does', async () => {
    let run_ = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (ops) => {
        const real = await createEventStreamStore<E>(db, `commits_${++run_}`);
        expect(await run(memoryEventStreamStore<E>(), ops)).toEqual(await run(real, ops));
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
