import net from 'node:net';
import { request } from '../http';

/**
 * Polls `check` until it answers true, or fails after `timeoutMs` naming what it waited
 * for; also fails at once if `died` rejects (the process being waited for exited).
 */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 250, died?: Promise<never>): Promise<void> {
  let death: unknown;
  died?.catch((err: unknown) => {
    death = err;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (death) throw death;
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (death) throw death;
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function httpOk(url: string): Promise<boolean> {
  const { status } = await request('GET', url, undefined, { timeoutMs: 2_000 });
  return status >= 200 && status <= 299;
}

/** Fails when something already listens on a port we are about to use. */
export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  const taken = [];
  for (const port of ports) if (await portOpen(port)) taken.push(port);
  if (taken.length > 0) throw new Error(`port ${taken.join(', ')} already in use: is another Eventmart (or a broker or database) running?`);
}
