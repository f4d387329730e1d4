/**
 * The bench, in a short bounded run, so that it cannot rot: `npm run bench` with a few orders
 * on each broker must start the real system, confirm every order and print its table. It
 * asserts what was counted (every order confirmed), never how fast: the figures are the
 * bench's to print, not the test's to judge.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../scripts/src/toolchain';
import { BROKERS } from '../support/system';

jest.setTimeout(10 * 60_000);

test('a short bench run confirms every order on each broker and prints a row for each', async () => {
  const slot = process.env.EVENTMART_TEST_SLOT ?? String(Number(process.env.JEST_WORKER_ID ?? '1') - 1);
  const args = [
    join(REPO_ROOT, 'scripts/dist/bench/run.js'),
    '--orders',
    '10',
    '--rate',
    '5',
    '--spread',
    '2',
    '--slot',
    slot,
    ...BROKERS.flatMap((b) => ['--broker', b]),
  ];
  const { stdout } = await promisify(execFile)('node', args, { cwd: REPO_ROOT, timeout: 9 * 60_000, maxBuffer: 1 << 20 });
  for (const broker of BROKERS) {
    const row = stdout.split('\n').find((line) => line.startsWith(broker.padEnd(9)));
    expect(row).toBeDefined();
    expect(row!.trim().endsWith('| 10/10')).toBe(true);
  }
});
