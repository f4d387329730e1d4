/// <reference lib="dom" />
/** Debian's Chromium driven by playwright-core, and a small TCP proxy to cut a browser's connection. */
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/src/runner/toolchain';
import { testPorts } from '../../scripts/src/runner/ports';

export const SCREENSHOTS = join(REPO_ROOT, 'artifacts', 'screenshots');

// jest sets JEST_WORKER_ID=1 when it runs in band, and startTestSystem picks its ports from
// it: EVENTMART_TEST_SLOT=2 moves a browser run out of the way of integration tests in slot 0.
if (process.env.EVENTMART_TEST_SLOT) process.env.JEST_WORKER_ID = String(Number(process.env.EVENTMART_TEST_SLOT) + 1);

/** The ports startTestSystem will give this jest worker: the page must know the APIs' addresses up front. */
export function apiUrls(): { order: string; payment: string } {
  const ports = testPorts(Number(process.env.JEST_WORKER_ID ?? '1') - 1);
  return { order: `http://127.0.0.1:${ports.services.order}`, payment: `http://127.0.0.1:${ports.services.payment}` };
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // playwright gives every launch a fresh, temporary user-data-dir.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new browser window (its own context: no shared cache or storage) on the page at `url`, once it is live. */
export async function openShop(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.locator('#connection[data-state="live"]').waitFor();
  // Set once: still there at the end means the page never reloaded.
  await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
  return page;
}

const consoleErrors = new WeakMap<Page, string[]>();

/** What the page wrote to its console as errors, and its uncaught exceptions, since openShop. */
export function errorsIn(page: Page): string[] {
  return consoleErrors.get(page) ?? [];
}

export async function neverReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce === true);
}

/** The ids of every event the page received, in order (the page keeps each once). */
export async function eventIds(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { eventmart: { eventIds(): string[] } }).eventmart.eventIds());
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A TCP proxy in front of a notification replica: the browser's origin. `drop()` cuts every
 * open connection and refuses new ones until `restore(port)` points it (maybe at another replica).
 */
export class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  constructor(private target: number) {
    this.server = net.createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  drop(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(target: number): void {
    this.target = target;
    this.down = false;
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
