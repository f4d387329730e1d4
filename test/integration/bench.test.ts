/**
 * The bench, in a short bounded run, so that it cannot rot: `npm run bench` with a few orders
 * on each broker must start the real system, confirm every order and print its table. It
 * asserts what was counted (every order confirmed), never how fast: the figures are the
 * bench's to print, not the test's to judge.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';
import { BROKERS } from '../support/system';

jest.setTimeout(10 * 60_000);

test('a short bench run confirms every order on each broker, Eventmart, traced Eventmart and the baseline, seeds a history and prints every table', async () => {
  const slot = process.env.EVENTMART_TEST_SLOT ?? String(Number(process.env.JEST_WORKER_ID ?? '1') - 1);
  const args = [
    join(REPO_ROOT, 'scripts/dist/bench/run.js'),
    '--orders',
    '10',
    '--rate',
    '5',
    '--spread',
    '2',
    // Each part of the bench, kept short: a two-step sweep, a small history, the baseline.
    '--sweep',
    '2,4',
    '--step-seconds',
    '2',
    '--history',
    '30',
    '--idle-seconds',
    '2',
    '--slot',
    slot,
    ...BROKERS.flatMap((b) => ['--broker', b]),
  ];
  const { stdout } = await promisify(execFile)('node', args, { cwd: REPO_ROOT, timeout: 9 * 60_000, maxBuffer: 1 << 20 });
  const lines = stdout.split('\n');
  for (const broker of BROKERS) {
    const row = lines.find((line) => line.startsWith(broker.padEnd(9)));
    expect(row).toBeDefined();
    expect(row!.trim().endsWith('| 10/10')).toBe(true);
    // The direct-client baseline confirmed every order too.
    expect(
      lines
        .find((line) => line.startsWith(`${broker}*`.padEnd(9)))
        ?.trim()
        .endsWith('| 10/10'),
    ).toBe(true);
    // The history was seeded: 30 orders' documents, and the sweep ran after it.
    const seeded = lines.map((line) => new RegExp(`^  ${broker} after history \\((\\d+) documents`).exec(line)).find(Boolean);
    expect(Number(seeded?.[1])).toBeGreaterThanOrEqual(30 * 10); // each order leaves documents in every service's stores
  }
  // The fixed-rate orders ran again with every order traced: both rows confirmed every order.
  const tracing = lines.slice(lines.findIndex((line) => line.startsWith('the cost of tracing')) + 2);
  for (const broker of BROKERS)
    for (const sampling of [0, 1])
      expect(
        tracing
          .find((line) => new RegExp(`^${broker}\\s+\\|\\s+${sampling} \\|`).test(line))
          ?.trim()
          .endsWith('| 10/10'),
      ).toBe(true);
  // Memory: a row at the capacity rate and one over the whole sweep, each service's peak in MiB.
  const memory = lines.slice(lines.findIndex((line) => line.startsWith('peak resident memory')) + 2);
  for (const broker of BROKERS) {
    expect(memory.find((line) => new RegExp(`^${broker}\\s+\\| capacity\\s+\\|`).test(line))).toMatch(/^\S+\s+\| capacity\s+(\|\s+(\d+|-) ){5}\|/);
    expect(memory.find((line) => new RegExp(`^${broker}\\s+\\| whole\\s+\\|`).test(line))).toMatch(/^\S+\s+\| whole\s+(\|\s+\d+ ){5}\|/);
  }
  // Every broker has a capacity row: empty, after the history, baseline (numbers, or '-' for none carried).
  const capacity = lines.slice(lines.findIndex((line) => line.startsWith('capacity, orders/s')) + 2);
  for (const broker of BROKERS) expect(capacity.find((line) => line.startsWith(broker.padEnd(9)))).toMatch(/^\S+\s+\|\s+\d+ \|\s+\d+ \|\s+\d+ \|/);
});
