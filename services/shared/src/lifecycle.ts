import type { Server } from 'node:http';
import type { Logger } from './logger';
import type { Readiness } from './health';

export interface Lifecycle extends Readiness {
  /** Stops taking work, waits for in-flight requests, then closes the given resources in order. */
  listenForShutdown(server: Server, close: Array<() => Promise<void>>): void;
}

/**
 * SIGTERM/SIGINT → not ready → drain HTTP (which includes event deliveries from the
 * sidecar) → close clients → exit 0. A second signal, or the grace period running out,
 * exits at once with 1.
 */
export function createLifecycle(log: Logger, graceMs: number, dependenciesUp: () => Promise<boolean>): Lifecycle {
  let draining = false;
  return {
    async isReady() {
      return !draining && (await dependenciesUp());
    },
    listenForShutdown(server, close) {
      const shutdown = async (signal: string) => {
        if (draining) {
          log.warn({ signal }, 'second signal, exiting now');
          process.exit(1);
        }
        draining = true;
        log.info({ signal }, 'shutting down');
        const timer = setTimeout(() => {
          log.error({ graceMs }, 'shutdown took too long, exiting');
          process.exit(1);
        }, graceMs);
        timer.unref();
        // Keep-alive connections (the sidecar keeps one) close after the response under way,
        // instead of holding the drain open until their idle timeout.
        server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
        // Long-lived responses (Server-Sent Events) never finish on their own: half-way through
        // the grace period they are cut, and their browsers reconnect to another replica.
        setTimeout(() => server.closeAllConnections(), graceMs / 2).unref();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        for (const fn of close) await fn().catch((err: unknown) => log.error({ err }, 'close failed'));
        log.info('stopped');
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
    },
  };
}
