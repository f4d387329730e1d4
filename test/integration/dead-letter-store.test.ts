// The dead-letter store on the real database (FerretDB on PostgreSQL): pages newest first that
// hold every letter once and stay within their bytes, what a replay records, which letters it
// keeps, and data the database itself could not hold.
import { createDeadLetterStore, DEAD_LETTER_PAGE_BYTES, type DeadLetterStore } from '../../services/shared/src/dead-letter-store';
import { useDatabase } from '../support/database';

jest.setTimeout(120_000);

describe('the dead-letter store', () => {
  const client = useDatabase('dead-letter-store');
  let run = 0;
  const store = async (options?: { replayedKept: number }) => createDeadLetterStore(client().db(`deadletters_${++run}`), options);

  /** Every page of a listing, following `next`, as the ids on each page (bounded: 50 pages). */
  async function pages(letters: DeadLetterStore, page: Parameters<DeadLetterStore['list']>[0] = {}): Promise<string[][]> {
    const all: string[][] = [];
    let after: string | undefined;
    do {
      const { deadLetters, next } = await letters.list({ ...page, after });
      all.push(deadLetters.map((letter) => letter.id));
      after = next;
    } while (after !== undefined && all.length < 50);
    return all;
  }

  test('lists a page at a time, newest first: every letter once, ties in the same millisecond broken by id', async () => {
    const db = client().db(`deadletters_${++run}`);
    const letters = await createDeadLetterStore(db);
    // 25 received in the same millisecond: the cursor must break the tie, across pages.
    const at = new Date(Date.now() - 1000).toISOString();
    await db
      .collection('deadletters')
      .insertMany(Array.from({ length: 25 }, (_, n) => ({ id: `letter-${String(n).padStart(2, '0')}`, type: 't', dataJson: '{}', bytes: 2, receivedAt: at })));
    await letters.record({ id: 'a-latest', type: 't', data: {} });

    const listed = await pages(letters, { limit: 10 });

    expect(listed.map((page) => page.length)).toEqual([10, 10, 6]);
    expect(listed.flat()[0]).toBe('a-latest'); // newest first, although its id sorts first
    expect(listed.flat().slice(1)).toEqual(Array.from({ length: 25 }, (_, n) => `letter-${String(24 - n).padStart(2, '0')}`));
  });

  test('a page ends before the letter that would take it over its bytes, and always holds one', async () => {
    const letters = await store();
    const big = 'x'.repeat(400 * 1024); // three fit in no page: two do
    for (let n = 0; n < 5; n++) await letters.record({ id: `big-${n}`, type: 't', data: { big } });
    await letters.record({ id: 'huge', type: 't', data: { big: 'y'.repeat(DEAD_LETTER_PAGE_BYTES + 1) } });

    const listed = await pages(letters);

    expect(listed).toEqual([['huge'], ['big-4', 'big-3'], ['big-2', 'big-1'], ['big-0']]);
  });

  test('a replay records when, by whom and what was replayed; a later one without a correction replays the data as received', async () => {
    const letters = await store();
    await letters.record({ id: 'dl-1', type: 't', source: 'order', topic: 'orders', data: { orderId: 'o-1', reason: '' } });

    await letters.markReplayed('dl-1', { by: 'ops@example.com', data: { orderId: 'o-1', reason: 'mended' } });
    expect(await letters.get('dl-1')).toEqual({
      id: 'dl-1',
      type: 't',
      source: 'order',
      topic: 'orders',
      data: { orderId: 'o-1', reason: '' },
      receivedAt: expect.any(String),
      replayedAt: expect.any(String),
      replayedBy: 'ops@example.com',
      replayedData: { orderId: 'o-1', reason: 'mended' },
    });
    await letters.markReplayed('dl-1', { by: 'someone else' });
    const again = await letters.get('dl-1');
    expect(again).toMatchObject({ replayedBy: 'someone else', data: { orderId: 'o-1', reason: '' } });
    expect(again).not.toHaveProperty('replayedData');
  });

  test('lists the waiting or the replayed letters alone, and keeps only the newest replayed: a waiting letter is never removed', async () => {
    const letters = await store({ replayedKept: 2 });
    for (let n = 0; n < 6; n++) await letters.record({ id: `dl-${n}`, type: 't', data: { n } });
    // Replayed newest first: the two kept are the two replayed last, not the two received last.
    for (const id of ['dl-3', 'dl-2', 'dl-1', 'dl-0']) {
      await letters.markReplayed(id, { by: 'ops' });
      await new Promise((resolve) => setTimeout(resolve, 2)); // one replay a millisecond at least
    }

    expect(await pages(letters, { state: 'waiting' })).toEqual([['dl-5', 'dl-4']]);
    expect((await pages(letters, { state: 'replayed' })).flat()).toEqual(['dl-1', 'dl-0']);
    expect(await letters.count()).toEqual({ waiting: 2, replayed: 2 });
  });

  test('keeps any JSON its event held, even what the database cannot (nested arrays, a NUL, keys with $ or .)', async () => {
    const letters = await store();
    const data = { lines: [[1, [2]], []], 'a\u0000b': 'c\u0000', $where: { 'x.y': null }, n: 1e300 };
    await letters.record({ id: 'odd', type: 't', source: 'order', topic: 'orders', data });
    expect((await letters.get('odd'))?.data).toEqual(data);
    await letters.markReplayed('odd', { by: 'ops', data: [[data]] });
    expect(await letters.get('odd')).toMatchObject({ data, replayedData: [[data]], replayedAt: expect.any(String) });
    expect((await letters.list()).deadLetters.map((letter) => letter.data)).toEqual([data]);
  });

  test('a letter stored before its size was counts as a page of its own (it may hold 4 MB)', async () => {
    const db = client().db(`deadletters_${++run}`);
    const at = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    await db.collection('deadletters').insertMany([
      { id: 'unsized-1', type: 't', dataJson: '{"n":1}', receivedAt: at(3) },
      { id: 'unsized-2', type: 't', dataJson: '{"n":2}', receivedAt: at(2) },
    ]);
    const letters = await createDeadLetterStore(db);
    await letters.record({ id: 'sized', type: 't', data: { n: 3 } });

    expect(await pages(letters)).toEqual([['sized'], ['unsized-2'], ['unsized-1']]);
  });

  test('a letter stored before the data was kept as JSON text still reads, lists and replays whole', async () => {
    const db = client().db(`deadletters_${++run}`);
    await db
      .collection('deadletters')
      .insertOne({ id: 'old', type: 't', data: { orderId: 'o-1' }, replayedData: { orderId: 'o-1', x: 1 }, receivedAt: new Date().toISOString() });
    const letters = await createDeadLetterStore(db);
    expect((await letters.get('old'))?.data).toEqual({ orderId: 'o-1' });
    expect((await letters.list()).deadLetters).toEqual([expect.objectContaining({ id: 'old', data: { orderId: 'o-1' } })]);
    await letters.markReplayed('old', { by: 'ops' });
    expect(await letters.get('old')).not.toHaveProperty('replayedData');
  });
});
