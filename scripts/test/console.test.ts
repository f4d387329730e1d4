import { consoleLine } from '../src/runner/console';

// Colours off for the comparisons: what is left is the text a person reads.
const plain = (line: string | undefined) => line?.replace(/\x1b\[[0-9;]*m/g, '');

describe("npm start's console", () => {
  test("a service's JSON record is one line: time, level, message, then its fields (not its name, the prefix says it)", () => {
    const line = plain(consoleLine(JSON.stringify({ level: 30, time: '2026-12-02T20:41:14.123Z', service: 'order', msg: 'order placed', orderId: 'o-1' })));
    expect(line).toMatch(/^\[\d\d:\d\d:14\.123\] INFO: order placed \{"orderId":"o-1"\}$/);
  });

  test("daprd's records below warning are dropped; its warnings and errors stay, with their level", () => {
    const dapr = (level: string) =>
      JSON.stringify({ app_id: 'order', level, msg: `a ${level}`, scope: 'dapr.runtime', time: '2026-12-02T20:41:14.000Z', type: 'log', ver: '1.18.1' });
    expect(consoleLine(dapr('info'))).toBeUndefined();
    expect(consoleLine(dapr('debug'))).toBeUndefined();
    expect(plain(consoleLine(dapr('warning')))).toMatch(/ WARN: a warning \{"scope":"dapr.runtime"\}$/);
    expect(plain(consoleLine(dapr('error')))).toMatch(/ ERROR: a error /);
  });

  test('any other line is shown as it is', () => {
    for (const line of ['[2026-12-02 20:41:14,000] WARN broker started (kafka.server.KafkaServer)', '{not json', '{"no":"level"}', ''])
      expect(consoleLine(line)).toBe(line);
  });

  test("a writer losing a race on the unique key (by design) is left out, from PostgreSQL's and FerretDB's logs alike", () => {
    expect(
      consoleLine('2026-12-02 21:04:23.667 UTC [27334] ERROR:  duplicate key value violates unique constraint "order_events_d30066a9__id__67399184_idx"'),
    ).toBeUndefined();
    expect(
      consoleLine(JSON.stringify({ level: 'error', msg: 'Query', err: { Message: 'duplicate key value violates unique constraint "x"' } })),
    ).toBeUndefined();
    expect(consoleLine('2026-12-02 21:04:23.667 UTC [27334] ERROR:  deadlock detected')).toBe('2026-12-02 21:04:23.667 UTC [27334] ERROR:  deadlock detected');
  });
});
