import pino from 'pino';
import { NotFoundError, PreconditionFailedError } from '../src/errors';
import { dispatch, type EventHandlers } from '../src/pubsub';
import { protectedChanges } from '../src/replay-dead-letter';
import { catalog, cloudEventType, eventNameOf, validateEvent } from '../src/events';

const log = pino({ level: 'silent' });
const confirmed = { id: 'e-1', type: cloudEventType('order.confirmed'), source: 'order', data: { orderId: 'o-1' } };

describe('dispatch: what Dapr is told', () => {
  test('when the handler succeeds, then SUCCESS, and the handler saw the validated event', async () => {
    const seen: unknown[] = [];
    const handlers: EventHandlers = { 'order.confirmed': async (event) => void seen.push(event) };
    expect(await dispatch(handlers, { ...confirmed, traceparent: '00-abc-def-01' }, log)).toBe('SUCCESS');
    expect(seen).toEqual([{ id: 'e-1', name: 'order.confirmed', data: { orderId: 'o-1' }, traceparent: '00-abc-def-01' }]);
  });

  test('when the data does not match its schema, then DROP without calling the handler', async () => {
    const handler = jest.fn();
    expect(await dispatch({ 'order.confirmed': handler }, { ...confirmed, data: { orderId: 42 } }, log)).toBe('DROP');
    expect(handler).not.toHaveBeenCalled();
  });

  test('when the type is not in the catalog or the id is missing, then DROP', async () => {
    expect(await dispatch({}, { ...confirmed, type: 'eventmart.order.exploded.v1' }, log)).toBe('DROP');
    expect(await dispatch({}, { type: confirmed.type, data: confirmed.data }, log)).toBe('DROP');
    expect(await dispatch({}, undefined, log)).toBe('DROP');
  });

  test('when the service does not react to that event, then SUCCESS (it is simply not ours)', async () => {
    expect(await dispatch({}, confirmed, log)).toBe('SUCCESS');
  });

  test('when the handler throws a client error (the event can never succeed), then DROP; on a lost race or any other failure, RETRY', async () => {
    const poisoned: EventHandlers = {
      'order.confirmed': async () => {
        throw new NotFoundError('ORDER_NOT_FOUND', 'no such order');
      },
    };
    const broken: EventHandlers = {
      'order.confirmed': async () => {
        throw new Error('database down');
      },
    };
    const raced: EventHandlers = {
      'order.confirmed': async () => {
        throw new PreconditionFailedError('VERSION_MISMATCH', 'changed since read');
      },
    };
    expect(await dispatch(poisoned, confirmed, log)).toBe('DROP');
    expect(await dispatch(broken, confirmed, log)).toBe('RETRY');
    expect(await dispatch(raced, confirmed, log)).toBe('RETRY');
  });
});

describe('dispatch: an event only from its producer, only on its topic', () => {
  const handled: string[] = [];
  const handlers: EventHandlers = { 'order.confirmed': async (event) => void handled.push(event.id) };

  test('when another app publishes an event that is not its own, then it is dropped, not handled', async () => {
    // shipping may publish on its own topic, but order.confirmed is order's fact.
    expect(await dispatch(handlers, { ...confirmed, source: 'shipping' }, log, 'orders')).toBe('DROP');
    expect(await dispatch(handlers, { ...confirmed, source: undefined }, log, 'orders')).toBe('DROP');
    expect(handled).toEqual([]);
  });

  test('when an event arrives on another topic than its catalog entry names, then it is dropped', async () => {
    expect(await dispatch(handlers, confirmed, log, 'shipments')).toBe('DROP');
    expect(handled).toEqual([]);
    expect(await dispatch(handlers, confirmed, log, 'orders')).toBe('SUCCESS');
    expect(handled).toEqual(['e-1']);
  });
});

describe('event catalog', () => {
  test('types are versioned and map back to their names', () => {
    expect(cloudEventType('stock.reserved')).toBe('eventmart.stock.reserved.v1');
    expect(eventNameOf('eventmart.stock.reserved.v1')).toBe('stock.reserved');
    expect(eventNameOf('eventmart.stock.reserved.v2')).toBeUndefined();
  });

  test('money is integer cents', () => {
    const data = { orderId: 'o', customerId: 'c', items: [{ sku: 'S', name: 'n', quantity: 1, unitPrice: 12.5 }], total: 12.5 };
    expect(validateEvent('order.placed', data)).toEqual({ ok: false, reason: expect.stringContaining('integer') });
  });

  test('lines name each sku once: two lines of one sku would merge into one hold over the quantity bound', () => {
    const line = { sku: 'A', name: 'n', quantity: 6000, unitPrice: 1 };
    const placed = { orderId: 'o', customerId: 'c', items: [line, line], total: 12_000 };
    expect(validateEvent('order.placed', placed)).toEqual({ ok: false, reason: '/items name sku A more than once' });
    expect(validateEvent('order.placed', { ...placed, items: [line, { ...line, sku: 'B' }] }).ok).toBe(true);
    const lines = [
      { sku: 'A', quantity: 1 },
      { sku: 'A', quantity: 2 },
    ];
    for (const name of ['stock.reserved', 'stock.released'] as const) {
      expect(validateEvent(name, { orderId: 'o', items: lines })).toEqual({ ok: false, reason: '/items name sku A more than once' });
    }
  });
});

describe('a dead letter correction', () => {
  const placed = { orderId: 'o', customerId: 'c', items: [{ sku: 'A', name: 'n', quantity: 1, unitPrice: 100 }], total: 100 };

  test('may mend other fields, but not the order, the customer or any amount', () => {
    expect(protectedChanges(placed, { ...placed, items: [{ ...placed.items[0], name: 'mended' }] })).toEqual([]);
    expect(protectedChanges(placed, { ...placed, total: 1 })).toEqual(['total']);
    expect(protectedChanges(placed, { ...placed, items: [{ ...placed.items[0], unitPrice: 1 }] })).toEqual(['items.0.unitPrice']);
    expect(protectedChanges(placed, { ...placed, customerId: 'someone-else' })).toEqual(['customerId']);
    // Adding an amount that was missing is a change too: a replay must not invent money.
    expect(protectedChanges({ orderId: 'o' }, { orderId: 'o', amount: 5 })).toEqual(['amount']);
  });
});

describe('an event is bounded', () => {
  interface Node {
    type?: string;
    maxLength?: number;
    maxItems?: number;
    additionalProperties?: boolean;
    properties?: Record<string, Node>;
    items?: Node;
  }
  /** The paths in a schema where a value could grow without bound. */
  const unbounded = (schema: Node, at: string): string[] => [
    ...(schema.type === 'string' && schema.maxLength === undefined ? [`${at}: a string without maxLength`] : []),
    ...(schema.type === 'array' && schema.maxItems === undefined ? [`${at}: an array without maxItems`] : []),
    ...(schema.type === 'object' && schema.additionalProperties !== false ? [`${at}: an object open to other properties`] : []),
    ...Object.entries(schema.properties ?? {}).flatMap(([name, inner]) => unbounded(inner, `${at}.${name}`)),
    ...(schema.items ? unbounded(schema.items, `${at}[]`) : []),
  ];

  test('by its schema: every text, list and object of every event has a limit, so an oversized event is an invalid one', () => {
    expect(Object.entries(catalog).flatMap(([name, entry]) => unbounded(entry.schema as Node, name))).toEqual([]);
  });

  test('and holds no NUL character (the database refuses one: such an event could never be handled)', async () => {
    expect(validateEvent('order.confirmed', { orderId: 'o-\u0000' })).toEqual({ ok: false, reason: expect.stringContaining('NUL') });
    expect(validateEvent('stock.rejected', { orderId: 'o', reason: 'r\u0000' })).toEqual({ ok: false, reason: expect.stringContaining('NUL') });
  });
});
