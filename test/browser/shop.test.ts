/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The shop page in a real browser (Debian's Chromium) against the real system on each
 * broker, with two notification replicas: an order placed in the page moves to DELIVERED
 * live, other browsers see the stock go down, browsers on different replicas see the same
 * events, and a browser whose connection drops catches up without gaps or duplicates.
 */
import type { Browser, Page } from 'playwright-core';
import { subscribe, type PushedEvent } from '../../scripts/src/bench/sse-client';
import type { Replica, RunningSystem } from '../../scripts/src/runner/system';
import { call, eventually } from '../support/http';
import { BROKERS, startTestSystem } from '../support/system';
import { apiUrls, CuttableProxy, errorsIn, eventIds, launchChromium, neverReloaded, openShop, screenshot } from './browser';

jest.setTimeout(180_000);

/** A plain SSE client (no browser): the reference of what a replica pushed. */
function listen(url: string): { events: PushedEvent[]; close(): void } {
  const events: PushedEvent[] = [];
  return { events, close: subscribe(url, (event) => events.push(event)) };
}

const about = (orderIds: string[], sku: string) => (e: PushedEvent) => orderIds.includes(e.data.orderId ?? '') || e.data.sku === sku;

describe.each(BROKERS)('the shop page on %s', (broker) => {
  let system: RunningSystem;
  let browser: Browser;
  let notifications: Replica[];
  const pages: Page[] = [];

  beforeAll(async () => {
    const api = apiUrls();
    const launching = launchChromium().then((launched) => (browser = launched));
    system = await startTestSystem('browser-shop', {
      broker,
      scale: { notification: 2 },
      env: { notification: { ORDER_API_URL: api.order, PAYMENT_API_URL: api.payment } },
      tracing: { sampling: 1 },
    });
    await launching;
    notifications = system.replicas.filter((r) => r.service === 'notification');
    const { urls } = system;
    await call('POST', `${urls.payment}/accounts/alice/deposits`, { amount: 100_000 });
    await call('PUT', `${urls.inventory}/products/MUG`, { name: 'Event mug', price: 1250, available: 20 });
    await call('PUT', `${urls.inventory}/products/SEAT-A1`, { name: 'Concert seat A1', price: 4900, available: 1 });
    // A new broadcast subscriber starts at the newest offset: wait until every replica hears,
    // nudging the product until each has (its buffer fills only from live events).
    let nudge = 20;
    await eventually(
      'every notification replica to hear product.changed',
      async () => {
        const stats = await Promise.all(notifications.map(async (r) => (await call('GET', `${r.url}/stream/stats`)).body.buffered as number));
        if (stats.every((n) => n > 0)) return true;
        await call('PUT', `${urls.inventory}/products/MUG`, { name: 'Event mug', price: 1250, available: ++nudge });
        await new Promise((resolve) => setTimeout(resolve, 400));
        return undefined;
      },
      60_000,
    );
    await eventually('the catalog replica to know both products', async () =>
      (await call('GET', `${urls.order}/catalog`)).body.products.length === 2 ? true : undefined,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  test('a person orders in the page and watches it go to CONFIRMED and DELIVERED; a second browser, on the other replica, sees the stock go down live', async () => {
    const [one, two] = notifications as [Replica, Replica];
    const buyer = await openShop(browser, one.url);
    const watcher = await openShop(browser, two.url, { width: 390, height: 844 }); // a phone
    pages.push(buyer, watcher);
    const before = Number(await buyer.locator('[data-sku="MUG"] [data-stock]').getAttribute('data-stock'));
    await watcher.locator(`[data-sku="MUG"] [data-stock="${before}"]`).waitFor();
    await buyer.locator('#balance').filter({ hasText: '1,000.00' }).waitFor();

    // Every status the order row shows, as it changes.
    await buyer.evaluate(() => {
      const seen: string[] = ((window as unknown as { statuses: string[] }).statuses = []);
      new MutationObserver(() => {
        for (const li of document.querySelectorAll<HTMLElement>('#orders [data-status]')) if (seen.at(-1) !== li.dataset.status) seen.push(li.dataset.status!);
      }).observe(document.getElementById('orders')!, { subtree: true, childList: true, attributes: true });
    });

    // Keyboard only: choose the product and quantity, submit with Enter.
    await buyer.locator('#sku').selectOption('MUG');
    await buyer.locator('#quantity').fill('2');
    await buyer.locator('#quantity').press('Enter');
    const row = buyer.locator('#orders li').first();
    await row.waitFor();
    const orderId = (await row.getAttribute('data-order-id'))!;
    await buyer
      .locator(
        `#orders li[data-order-id="${orderId}"][data-status="CONFIRMED"], #orders li[data-order-id="${orderId}"][data-status="SHIPPED"], #orders li[data-order-id="${orderId}"][data-status="DELIVERED"]`,
      )
      .waitFor();
    await watcher.locator(`[data-sku="MUG"] [data-stock="${before - 2}"]`).waitFor();
    await screenshot(watcher, `${broker}-phone-stock-went-down`);
    await buyer.locator(`#orders li[data-order-id="${orderId}"][data-status="DELIVERED"]`).waitFor();

    const statuses = await buyer.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.slice(statuses.indexOf('PENDING'))).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    // The timeline of the chosen order: its events, with times, from the order API.
    await buyer.locator('#timeline li[data-type="order.delivered"]').waitFor();
    const timeline = await buyer
      .locator('#timeline li')
      .evaluateAll((items) => items.map((li) => [li.getAttribute('data-type'), li.querySelector('time')?.getAttribute('datetime')]));
    expect(timeline.map(([type]) => type)).toEqual(expect.arrayContaining(['order.placed', 'order.confirmed', 'order.shipped', 'order.delivered']));
    for (const [, time] of timeline) expect(Number.isNaN(Date.parse(time!))).toBe(false);
    await buyer.locator('#balance').filter({ hasText: '975.00' }).waitFor();
    await screenshot(buyer, `${broker}-order-delivered`);
    // Under the timeline, the order's trace from Jaeger: spans of all five services. It is
    // read again with each new event; a reload of the timeline brings the late spans. Each try
    // waits briefly: a trace not yet in Jaeger shows no spans until the timeline is read again.
    await eventually(
      'the trace in the page with all five services',
      async () => {
        await buyer.locator(`#orders li[data-order-id="${orderId}"] button`).click();
        await buyer.locator('#trace-spans li').first().waitFor({ timeout: 3_000 });
        const services = new Set(await buyer.locator('#trace-spans li').evaluateAll((items) => items.map((li) => li.getAttribute('data-service'))));
        return ['order', 'payment', 'inventory', 'shipping', 'notification'].every((s) => services.has(s)) ? true : undefined;
      },
      60_000,
    );
    const summary = await buyer.locator('#trace-summary').textContent();
    expect(summary).toMatch(/^\d+ spans, \d+ services, [\d.]+ ms$/);
    expect(await buyer.locator('#trace-link').getAttribute('href')).toBe(
      `${system.traces!.ui}/api/traces/${(await call('GET', `${system.urls.order}/orders/${orderId}`)).body.traceId}`,
    );
    await buyer.locator('#trace').scrollIntoViewIfNeeded();
    await screenshot(buyer, `${broker}-order-trace`);
    expect(await neverReloaded(buyer)).toBe(true);
    expect(await neverReloaded(watcher)).toBe(true);
    // What a person would see in the developer console: nothing went wrong.
    expect(errorsIn(buyer)).toEqual([]);
    expect(errorsIn(watcher)).toEqual([]);
  });

  test('two browsers on different replicas both see every change, each once', async () => {
    const [buyer, watcher] = pages as [Page, Page];
    const already = await Promise.all([eventIds(buyer), eventIds(watcher)]);
    const { body } = await call('POST', `${system.urls.order}/orders`, { customerId: 'alice', items: [{ sku: 'SEAT-A1', quantity: 1 }] });
    await call('PUT', `${system.urls.inventory}/products/MUG`, { name: 'Event mug', price: 1250, available: 50 });
    for (const page of [buyer, watcher]) {
      await page.locator('[data-sku="SEAT-A1"] [data-stock="0"]').waitFor();
      await page.locator('[data-sku="MUG"] [data-stock="50"]').waitFor();
    }
    await buyer.locator(`#orders li[data-order-id="${body.orderId}"][data-status="DELIVERED"]`).waitFor();
    // Both replicas got every event (broadcast), so both pages hold the same events, each once.
    const [a, b] = await Promise.all([eventIds(buyer), eventIds(watcher)]);
    expect(new Set(a).size).toBe(a.length);
    expect(new Set(b).size).toBe(b.length);
    const orderEvents = await watcher.evaluate(
      (orderId) =>
        [...document.querySelectorAll('#feed li')]
          .filter((li) => li.textContent?.includes(orderId.slice(0, 8)))
          .map((li) => li.querySelector('.type')?.textContent),
      body.orderId as string,
    );
    expect(orderEvents).toEqual(
      expect.arrayContaining(['Order placed', 'Stock reserved', 'Payment taken', 'Order confirmed', 'Parcel dispatched', 'Order shipped', 'Order delivered']),
    );
    // Since the test began, both pages received the same events.
    const since = async (page: Page, index: number) => new Set((await eventIds(page)).filter((id) => !already[index]!.includes(id)));
    await eventually('both pages to hold the same events', async () => {
      const [x, y] = await Promise.all([since(buyer, 0), since(watcher, 1)]);
      return x.size > 0 && [...x].sort().join() === [...y].sort().join() ? true : undefined;
    });
    await screenshot(watcher, `${broker}-phone-second-replica`);
  });

  test('a browser whose connection drops, and comes back on the other replica, catches up without gaps or duplicates', async () => {
    const [one, two] = notifications as [Replica, Replica];
    const reference = listen(one.url);
    const proxy = new CuttableProxy(two.appPort);
    const page = await openShop(browser, await proxy.listen());
    try {
      const sku = 'DROP-1';
      await call('PUT', `${system.urls.inventory}/products/${sku}`, { name: 'Dropped hat', price: 700, available: 9 });
      await page.locator(`[data-sku="${sku}"] [data-stock="9"]`).waitFor();

      // The connection drops; while it is down the shop goes on.
      proxy.drop();
      await page.locator('#connection:not([data-state="live"])').waitFor();
      await screenshot(page, `${broker}-connection-lost`);
      await call('PUT', `${system.urls.inventory}/products/${sku}`, { name: 'Dropped hat', price: 700, available: 40 });
      const orderIds: string[] = [];
      for (const quantity of [1, 2]) {
        const { body } = await call('POST', `${system.urls.order}/orders`, { customerId: 'alice', items: [{ sku, quantity }] });
        orderIds.push(body.orderId);
      }
      await eventually('the reference client to see it all happen', async () => {
        const delivered = reference.events.filter((e) => e.type.includes('order.delivered') && orderIds.includes(e.data.orderId ?? ''));
        return delivered.length === 2 && reference.events.some((e) => e.id.startsWith(`${sku}:`) && e.data.available === 37) ? true : undefined;
      });

      // It comes back, through the other replica, and resumes from its Last-Event-ID.
      proxy.restore(one.appPort);
      await page.locator('#connection[data-state="live"]').waitFor();
      await page.locator(`[data-sku="${sku}"] [data-stock="37"]`).waitFor(); // 40 - 1 - 2
      const expected = reference.events.filter(about(orderIds, sku)).map((e) => e.id);
      const got = await eventually('the page to catch up', async () => {
        const ids = await eventIds(page);
        return expected.every((id) => ids.includes(id)) ? ids : undefined;
      });
      expect(new Set(got).size).toBe(got.length); // no duplicates
      expect(await neverReloaded(page)).toBe(true);
      await screenshot(page, `${broker}-caught-up`);
    } finally {
      reference.close();
      await proxy.close();
    }
  });
});
