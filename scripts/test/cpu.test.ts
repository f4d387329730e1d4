import { spawn } from 'node:child_process';
import { cpuByGroup } from '../src/bench/cpu';

describe("the bench's CPU accounting", () => {
  test('counts a descendant that left the process group (as each PostgreSQL backend does with setsid)', async () => {
    // The leader starts a child in a session of its own; the child burns CPU for a bounded
    // number of rounds, says so with its pid, and waits to be killed.
    const burn = 'let x = 0; for (let i = 0; i < 3e8; i++) x += i; console.log("done", process.pid); setInterval(() => {}, 1000);';
    const leader = spawn('sh', ['-c', `setsid ${process.execPath} -e '${burn}'; sleep 60`], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let child: number | undefined;
    try {
      child = await new Promise<number>((resolve) => leader.stdout.on('data', (chunk: Buffer) => resolve(Number(/done (\d+)/.exec(chunk.toString())?.[1]))));
      expect(cpuByGroup([{ name: 'leader', pid: leader.pid! }]).get('leader') ?? 0).toBeGreaterThan(0.1);
    } finally {
      if (child) process.kill(child, 'SIGKILL');
      process.kill(-leader.pid!, 'SIGKILL');
    }
  });
});
