import pino from 'pino';
import { cloudEventType, type EventData } from '../src/events';
import type { EventHandlers } from '../src/pubsub';
import { replayDeadLetter, replayDeadLetters } from '../src/replay-dead-letter';
import { memoryDeadLetters } from './openapi-check';

const log = pino({ level: 'silent' });

describe('replaying a dead letter', () => {
  test('when an operator corrects what made it fail, then the handler gets the correction and the letter keeps both', async () => {
    const letters = memoryDeadLetters();
    const received = { orderId: 'o-1', customerId: 'c-1', reason: '' };
    await letters.record({ id: 'dl-1', type: cloudEventType('order.cancelled'), source: 'order', topic: 'orders', data: received });
    const seen: EventData<'order.cancelled'>[] = [];
    const handlers: EventHandlers = { 'order.cancelled': async ({ data }) => void seen.push(data) };
    const corrected = { ...received, reason: 'mended by hand' };

    await replayDeadLetter({ letters, handlers, log }, { id: 'dl-1', by: 'ops@example.com', correction: { data: corrected } });

    expect(seen).toEqual([corrected]);
    expect(await letters.get('dl-1')).toMatchObject({ data: received, replayedData: corrected, replayedAt: expect.any(String), replayedBy: 'ops@example.com' });
  });

  test('when the handler still fails, then REPLAY_FAILED and the letter stays waiting', async () => {
    const letters = memoryDeadLetters();
    await letters.record({ id: 'dl-1', type: cloudEventType('order.confirmed'), source: 'order', topic: 'orders', data: { orderId: 'o-1' } });
    const handlers: EventHandlers = {
      'order.confirmed': async () => {
        throw new Error('database down');
      },
    };
    await expect(replayDeadLetter({ letters, handlers, log }, { id: 'dl-1', by: 'ops' })).rejects.toMatchObject({ code: 'REPLAY_FAILED' });
    expect(await letters.count()).toEqual({ waiting: 1, replayed: 0 });
  });

  test('when several are re-driven at once, then each is replayed in turn and recorded, and one that fails stops none of the others', async () => {
    const letters = memoryDeadLetters();
    for (const orderId of ['o-1', 'o-2', 'o-3'])
      await letters.record({ id: `dl-${orderId}`, type: cloudEventType('order.confirmed'), source: 'order', topic: 'orders', data: { orderId } });
    const seen: string[] = [];
    const handlers: EventHandlers = {
      'order.confirmed': async ({ data }) => {
        if (data.orderId === 'o-2') throw new Error('still failing');
        seen.push(data.orderId);
      },
    };

    const outcomes = await replayDeadLetters({ letters, handlers, log }, { ids: ['dl-o-3', 'dl-o-2', 'dl-o-1'], by: 'ops' });

    expect(outcomes).toEqual([
      { id: 'dl-o-3', status: 'SUCCESS' },
      { id: 'dl-o-2', status: 'FAILED', error: { code: 'REPLAY_FAILED', message: expect.any(String) } },
      { id: 'dl-o-1', status: 'SUCCESS' },
    ]);
    expect(seen).toEqual(['o-3', 'o-1']);
    expect((await letters.list({ state: 'replayed' })).deadLetters.map((l) => [l.id, l.replayedBy])).toEqual([
      ['dl-o-3', 'ops'],
      ['dl-o-1', 'ops'],
    ]);
    expect(await letters.count()).toEqual({ waiting: 1, replayed: 2 });
    // Sent again (a retry of a call that timed out), it replays nothing twice.
    expect(await replayDeadLetters({ letters, handlers, log }, { ids: ['dl-o-3'], by: 'someone else' })).toEqual([
      { id: 'dl-o-3', status: 'FAILED', error: { code: 'ALREADY_REPLAYED', message: expect.any(String) } },
    ]);
    expect(seen).toEqual(['o-3', 'o-1']);
    expect((await letters.get('dl-o-3'))?.replayedBy).toBe('ops');
  });

  test('when the database fails during a re-drive, then the re-drive fails (the operator runs it again) rather than reporting the letter bad', async () => {
    const letters = memoryDeadLetters();
    await letters.record({ id: 'dl-1', type: cloudEventType('order.confirmed'), source: 'order', topic: 'orders', data: { orderId: 'o-1' } });
    const broken = { ...letters, get: async () => Promise.reject(new Error('connection reset')) };
    await expect(replayDeadLetters({ letters: broken, handlers: {}, log }, { ids: ['dl-1'], by: 'ops' })).rejects.toThrow('connection reset');
  });
});
