import pino from 'pino';
import { cloudEventType, type EventData } from '../src/events';
import type { EventHandlers } from '../src/pubsub';
import { replayDeadLetter } from '../src/replay-dead-letter';
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

    await replayDeadLetter({ letters, handlers, log }, { id: 'dl-1', correction: { data: corrected } });

    expect(seen).toEqual([corrected]);
    expect(await letters.get('dl-1')).toMatchObject({ data: received, replayedData: corrected, replayedAt: expect.any(String) });
  });

  test('when the handler still fails, then REPLAY_FAILED and the letter stays waiting', async () => {
    const letters = memoryDeadLetters();
    await letters.record({ id: 'dl-1', type: cloudEventType('order.confirmed'), source: 'order', topic: 'orders', data: { orderId: 'o-1' } });
    const handlers: EventHandlers = {
      'order.confirmed': async () => {
        throw new Error('database down');
      },
    };
    await expect(replayDeadLetter({ letters, handlers, log }, { id: 'dl-1' })).rejects.toMatchObject({ code: 'REPLAY_FAILED' });
    expect(await letters.count()).toEqual({ waiting: 1, replayed: 0 });
  });
});
