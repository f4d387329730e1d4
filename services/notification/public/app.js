// @ts-check
// The shop page: products with live stock, an order form, the customer's orders with live
// status, an order's timeline. It reads the order API (catalog, orders, timelines) and the
// payment API (balance) once, then follows the notification service's event stream
// (GET /stream, Server-Sent Events) from which every change arrives. Plain browser
// JavaScript, no build step and no framework: the page is small enough to read in one go.
'use strict';

const STATUS_RANK = { PENDING: 0, CONFIRMED: 1, SHIPPED: 2, DELIVERED: 3, CANCELLED: 4 };
/** What an order's status becomes when one of its events arrives. */
const STATUS_AFTER = {
  'order.placed': 'PENDING',
  'order.confirmed': 'CONFIRMED',
  'order.shipped': 'SHIPPED',
  'order.delivered': 'DELIVERED',
  'order.cancelled': 'CANCELLED',
};
const LABELS = {
  'order.placed': 'Order placed',
  'order.confirmed': 'Order confirmed',
  'order.cancelled': 'Order cancelled',
  'order.shipped': 'Order shipped',
  'order.delivered': 'Order delivered',
  'payment.succeeded': 'Payment taken',
  'payment.failed': 'Payment failed',
  'payment.refunded': 'Payment refunded',
  'stock.reserved': 'Stock reserved',
  'stock.rejected': 'Stock refused',
  'stock.released': 'Stock released',
  'product.changed': 'Product changed',
  'shipment.scheduled': 'Shipment scheduled',
  'shipment.dispatched': 'Parcel dispatched',
  'shipment.delivered': 'Parcel delivered',
};
const FEED_SHOWN = 100;
const SEEN_KEPT = 5000;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const money = (/** @type {number} */ cents) => (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const clock = (/** @type {string} */ iso) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
const nameOf = (/** @type {string} */ type) => type.replace(/^eventmart\./, '').replace(/\.v\d+$/, '');
const label = (/** @type {string} */ name) => LABELS[name] ?? name;

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [children] */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

const state = {
  /** traceUrl: Jaeger's query API and UI, when traces are collected ('' when not). */
  config: { orderApiUrl: '', paymentApiUrl: '', traceUrl: '' },
  /** @type {Map<string, {sku: string, name: string, price: number, available: number, version: number}>} */
  products: new Map(),
  customer: 'alice',
  /** @type {Map<string, any>} */
  orders: new Map(),
  /** @type {string | undefined} */
  selected: undefined,
  /** Every event id received, in arrival order, each once (also what tests read). */
  /** @type {string[]} */
  eventIds: [],
  seen: new Set(),
  /** @type {string | undefined} */
  lastEventId: undefined,
};

async function getJson(/** @type {string} */ url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw Object.assign(new Error(`${url} answered ${response.status}`), { status: response.status });
  return response.json();
}

// ---- products ---------------------------------------------------------------------------

function applyProduct(/** @type {any} */ product, flash = false) {
  const known = state.products.get(product.sku);
  if (known && known.version >= product.version) return; // late or repeated: never roll back
  state.products.set(product.sku, product);
  renderProducts(flash ? product.sku : undefined);
}

function renderProducts(/** @type {string | undefined} */ flashSku) {
  const list = $('products');
  const select = /** @type {HTMLSelectElement} */ ($('sku'));
  const chosen = select.value;
  const products = [...state.products.values()].sort((a, b) => a.name.localeCompare(b.name));
  list.replaceChildren(
    ...products.map((p) => {
      const item = el('li', { class: `product${p.available === 0 ? ' sold-out' : ''}`, 'data-sku': p.sku }, [
        el('span', { class: 'name' }, [p.name]),
        el('span', { class: 'price' }, [`${money(p.price)} · ${p.sku}`]),
        el('span', { class: 'stock' }, [
          el('strong', { 'data-stock': String(p.available) }, [String(p.available)]),
          p.available === 0 ? 'sold out' : 'in stock',
        ]),
      ]);
      if (p.sku === flashSku) item.classList.add('flash');
      return item;
    }),
  );
  $('products-empty').hidden = products.length > 0;
  select.replaceChildren(...products.map((p) => el('option', { value: p.sku }, [`${p.name} — ${money(p.price)} (${p.available} left)`])));
  if (chosen && state.products.has(chosen)) select.value = chosen;
}

// ---- customer: balance and orders ---------------------------------------------------------

async function loadBalance() {
  const customer = state.customer;
  const target = $('balance');
  try {
    const account = await getJson(`${state.config.paymentApiUrl}/accounts/${encodeURIComponent(customer)}`);
    if (customer === state.customer) target.textContent = money(account.balance);
  } catch (err) {
    if (customer !== state.customer) return;
    target.textContent = /** @type {any} */ (err).status === 404 ? `${money(0)} (no account yet)` : 'unavailable';
  }
}

async function loadOrders() {
  const customer = state.customer;
  try {
    const { orders } = await getJson(`${state.config.orderApiUrl}/orders?customerId=${encodeURIComponent(customer)}`);
    if (customer !== state.customer) return;
    for (const order of orders) mergeOrder(order);
    renderOrders();
  } catch {
    setMessage('Could not load the orders; they will appear as they change.', 'error');
  }
}

/** Keeps the furthest status seen, whether it came from the API or from the stream first. */
function mergeOrder(/** @type {any} */ order) {
  const known = state.orders.get(order.orderId);
  if (known && STATUS_RANK[known.status] > STATUS_RANK[order.status]) order = { ...order, status: known.status, reason: known.reason ?? order.reason };
  state.orders.set(order.orderId, { ...known, ...order });
}

function renderOrders() {
  const orders = [...state.orders.values()]
    .filter((o) => o.customerId === state.customer)
    .sort((a, b) => (b.placedAt ?? b.updatedAt ?? '').localeCompare(a.placedAt ?? a.updatedAt ?? ''));
  $('orders').replaceChildren(
    ...orders.map((o) => {
      const what = (o.items ?? []).map((/** @type {any} */ i) => `${i.quantity} × ${i.name ?? i.sku}`).join(', ') || 'Order';
      const button = el(
        'button',
        { type: 'button', 'aria-pressed': String(o.orderId === state.selected), 'aria-label': `${what}, ${o.status}. Show timeline` },
        [
          el('span', { class: 'what' }, [what]),
          el('span', { class: 'meta' }, [`${o.total !== undefined ? money(o.total) + ' · ' : ''}${o.orderId.slice(0, 8)}`]),
          el('span', { class: 'status', 'data-status': o.status }, [o.status]),
          ...(o.reason ? [el('span', { class: 'reason' }, [o.reason])] : []),
        ],
      );
      button.addEventListener('click', () => void selectOrder(o.orderId));
      return el('li', { class: 'order', 'data-order-id': o.orderId, 'data-status': o.status }, [button]);
    }),
  );
  $('orders-empty').hidden = orders.length > 0;
}

async function changeCustomer(/** @type {string} */ customer) {
  state.customer = customer;
  state.selected = undefined;
  $('orders-customer').textContent = customer;
  $('balance').textContent = '…';
  renderOrders();
  renderTimeline(undefined, []);
  await Promise.all([loadBalance(), loadOrders()]);
}

// ---- timeline ---------------------------------------------------------------------------

async function selectOrder(/** @type {string} */ orderId) {
  state.selected = orderId;
  renderOrders();
  await loadTimeline();
}

let timelineLoad = Promise.resolve();
function loadTimeline() {
  // One request at a time; the last one wins, so bursts of events do not race each other.
  timelineLoad = timelineLoad.then(async () => {
    const orderId = state.selected;
    if (!orderId) return;
    try {
      const url = `${state.config.orderApiUrl}/orders/${encodeURIComponent(orderId)}`;
      const [{ events }, order] = await Promise.all([getJson(`${url}/events`), getJson(url)]);
      if (orderId !== state.selected) return;
      renderTimeline(orderId, events);
      await loadTrace(order.traceId);
    } catch {
      if (orderId === state.selected) $('timeline-order').textContent = 'Could not load the timeline.';
    }
  });
  return timelineLoad;
}

// ---- trace --------------------------------------------------------------------------------

/**
 * The order's trace, read from Jaeger's query API: one row per span of the services and their
 * sidecars (their database and HTTP client calls left out), in start order, with a bar at
 * its place and length within the whole trace.
 */
async function loadTrace(/** @type {string | undefined} */ traceId) {
  const section = $('trace');
  if (!state.config.traceUrl || !traceId) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const link = /** @type {HTMLAnchorElement} */ ($('trace-link'));
  link.href = `${state.config.traceUrl}/api/traces/${traceId}`;
  link.textContent = traceId;
  let trace;
  try {
    // The search by id answers 200 with no data while the trace is not in Jaeger yet, where
    // /api/traces/<id> answers 404: a red line in the console for every early look.
    trace = (await getJson(`${state.config.traceUrl}/api/traces?traceID=${traceId}`)).data?.[0];
  } catch {
    trace = undefined;
  }
  if (!trace) {
    $('trace-summary').textContent = 'Not in the trace backend yet.';
    $('trace-spans').replaceChildren();
    return;
  }
  const isClient = (/** @type {any} */ span) => span.tags.some((/** @type {any} */ t) => t.key === 'span.kind' && t.value === 'client');
  const spans = trace.spans.filter((/** @type {any} */ s) => !isClient(s)).sort((/** @type {any} */ a, /** @type {any} */ b) => a.startTime - b.startTime);
  const start = Math.min(...trace.spans.map((/** @type {any} */ s) => s.startTime));
  const end = Math.max(...trace.spans.map((/** @type {any} */ s) => s.startTime + s.duration));
  const total = Math.max(end - start, 1);
  const services = new Set(trace.spans.map((/** @type {any} */ s) => trace.processes[s.processID].serviceName));
  $('trace-summary').textContent = `${trace.spans.length} spans, ${services.size} services, ${(total / 1000).toFixed(1)} ms`;
  $('trace-spans').replaceChildren(
    ...spans.map((/** @type {any} */ s) => {
      const service = trace.processes[s.processID].serviceName;
      const bar = el('span', { class: 'bar', style: `left: ${((s.startTime - start) / total) * 100}%; width: ${Math.max((s.duration / total) * 100, 0.3)}%` });
      return el('li', { 'data-service': service }, [
        el('span', { class: 'service' }, [service]),
        el('span', { class: 'operation', title: `${(s.duration / 1000).toFixed(1)} ms` }, [s.operationName]),
        el('span', { class: 'track' }, [bar]),
      ]);
    }),
  );
}

function renderTimeline(/** @type {string | undefined} */ orderId, /** @type {any[]} */ events) {
  $('timeline-order').textContent = orderId ? `Order ${orderId}` : 'No order chosen.';
  $('timeline').replaceChildren(
    ...events.map((e) =>
      el('li', { 'data-type': e.type }, [el('span', { class: 'type' }, [label(e.type)]), el('time', { datetime: e.occurredAt }, [clock(e.occurredAt)])]),
    ),
  );
}

// ---- placing an order ----------------------------------------------------------------------

function setMessage(/** @type {string} */ text, /** @type {'ok' | 'error'} */ kind) {
  const message = $('form-message');
  message.textContent = text;
  message.className = `message ${kind}`;
}

async function placeOrder(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const customerId = /** @type {HTMLInputElement} */ ($('customer')).value.trim();
  const sku = /** @type {HTMLSelectElement} */ ($('sku')).value;
  const quantity = Number(/** @type {HTMLInputElement} */ ($('quantity')).value);
  if (!customerId) return setMessage('Enter a customer.', 'error');
  if (!sku) return setMessage('Choose a product.', 'error');
  if (!Number.isInteger(quantity) || quantity < 1) return setMessage('The quantity is a whole number from 1.', 'error');
  if (customerId !== state.customer) await changeCustomer(customerId);

  const button = /** @type {HTMLButtonElement} */ ($('place'));
  button.disabled = true;
  try {
    const response = await fetch(`${state.config.orderApiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ customerId, items: [{ sku, quantity }] }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return setMessage(body?.error?.message ?? `The order API answered ${response.status}.`, 'error');
    const product = state.products.get(sku);
    mergeOrder({
      orderId: body.orderId,
      customerId,
      status: body.status,
      items: [{ sku, name: product?.name, quantity, unitPrice: product?.price }],
      total: product ? product.price * quantity : undefined,
      placedAt: new Date().toISOString(),
    });
    setMessage('Order placed: watch it move below.', 'ok');
    await selectOrder(body.orderId);
  } catch {
    setMessage('The order API cannot be reached. Try again.', 'error');
  } finally {
    button.disabled = false;
  }
}

// ---- the live stream -----------------------------------------------------------------------

function onFeedEvent(/** @type {{id: string, type: string, orderId?: string, data: any, at: string}} */ event) {
  state.lastEventId = event.id;
  // A reconnect, to this replica or another, may replay a few events again: drop the copies.
  if (state.seen.has(event.id)) return;
  state.seen.add(event.id);
  state.eventIds.push(event.id);
  if (state.eventIds.length > SEEN_KEPT) state.seen.delete(/** @type {string} */ (state.eventIds.shift()));

  const name = nameOf(event.type);
  const data = event.data ?? {};
  if (name === 'product.changed') applyProduct(data, true);
  const status = STATUS_AFTER[name];
  if (status) {
    const known = state.orders.get(data.orderId);
    if (known || data.customerId === state.customer) {
      mergeOrder({
        orderId: data.orderId,
        customerId: known?.customerId ?? data.customerId,
        status,
        ...(data.reason ? { reason: data.reason } : {}),
        ...(name === 'order.placed' ? { items: data.items, total: data.total } : {}),
      });
      renderOrders();
    }
  }
  if (name.startsWith('payment.') && data.customerId === state.customer) void loadBalance();
  if (event.orderId && event.orderId === state.selected) void loadTimeline();
  addToFeed(event, name, data);
}

function addToFeed(/** @type {any} */ event, /** @type {string} */ name, /** @type {any} */ data) {
  const about = data.orderId ? `order ${String(data.orderId).slice(0, 8)}` : data.sku ? `${data.sku}: ${data.available} left` : '';
  const feed = $('feed');
  feed.prepend(
    el('li', { 'data-event-id': event.id }, [
      el('time', { datetime: event.at }, [clock(event.at)]),
      el('span', { class: 'type' }, [label(name)]),
      el('span', { class: 'about' }, [about]),
    ]),
  );
  while (feed.children.length > FEED_SHOWN) feed.lastElementChild?.remove();
  $('feed-count').textContent = String(state.eventIds.length);
}

function setConnection(/** @type {'connecting' | 'live' | 'offline'} */ connection, /** @type {string} */ text) {
  $('connection').dataset.state = connection;
  $('connection-text').textContent = text;
}

function connect() {
  // A first connect after a reload sends where we were as a query; the browser itself sends
  // Last-Event-ID on its automatic reconnects.
  const url = state.lastEventId ? `/stream?lastEventId=${encodeURIComponent(state.lastEventId)}` : '/stream';
  const source = new EventSource(url);
  setConnection('connecting', 'Connecting…');
  source.onopen = () => setConnection('live', 'Live');
  source.onmessage = (message) => onFeedEvent(JSON.parse(message.data));
  source.onerror = () => {
    if (source.readyState === EventSource.CONNECTING) {
      setConnection('connecting', 'Reconnecting…');
      return;
    }
    // The browser gave up (the server answered with an error): try again ourselves, gently.
    setConnection('offline', 'Offline — retrying');
    source.close();
    setTimeout(connect, 2_000);
  };
}

async function main() {
  state.config = await getJson('/config.json');
  /** @type {any} */ (window).eventmart = { eventIds: () => [...state.eventIds], state };
  $('order-form').addEventListener('submit', (e) => void placeOrder(/** @type {SubmitEvent} */ (e)));
  $('customer').addEventListener('change', (e) => {
    const customer = /** @type {HTMLInputElement} */ (e.target).value.trim();
    if (customer && customer !== state.customer) void changeCustomer(customer);
  });
  connect();
  try {
    const { products } = await getJson(`${state.config.orderApiUrl}/catalog`);
    for (const product of products) applyProduct(product);
  } catch {
    setMessage('Could not load the products; they will appear as they change.', 'error');
  }
  await changeCustomer(/** @type {HTMLInputElement} */ ($('customer')).value.trim() || 'alice');
}

void main();
