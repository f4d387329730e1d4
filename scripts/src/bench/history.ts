import { randomUUID } from 'node:crypto';
import { MongoClient, type Document } from 'mongodb';
import { call, send } from '../http';

const TEMPLATE_CUSTOMER = 'history-template';
const TEMPLATE_SKU = 'HISTORY-TEMPLATE';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const BATCH = 1_000;

export interface History {
  orders: number;
  documents: number;
  seconds: number;
}

/**
 * Fills the stores with `orders` prior orders, quickly. One order goes through the real flow
 * to DELIVERED; every document the five services wrote for it (its order stream and view,
 * its ledger, stock, reservation and shipment streams, its catalog entry) is its template.
 * Each prior order is a copy with fresh ids (its own order id, customer, product and event
 * ids), inserted in batches: the stores end as if the shop had served that many orders,
 * each by another customer for another product. Timers are left out (the copies are done).
 */
export async function seedHistory(urls: { order: string; payment: string; inventory: string }, mongoUrl: string, orders: number): Promise<History> {
  const started = Date.now();
  await send('POST', `${urls.payment}/accounts/${TEMPLATE_CUSTOMER}/deposits`, { amount: 1_000_000 });
  await send('PUT', `${urls.inventory}/products/${TEMPLATE_SKU}`, { name: 'History', price: 100, available: 1_000_000_000 });
  const listed = async () =>
    (await send<{ products: Array<{ sku: string }> }>('GET', `${urls.order}/catalog`).catch(() => ({ products: [] }))).products.some(
      (p) => p.sku === TEMPLATE_SKU,
    );
  for (let i = 0; i < 300 && !(await listed()); i++) await sleep(100);
  const { orderId } = await send<{ orderId: string }>('POST', `${urls.order}/orders`, {
    customerId: TEMPLATE_CUSTOMER,
    items: [{ sku: TEMPLATE_SKU, quantity: 1 }],
  });
  for (let i = 0; ; i++) {
    const status = (await call<{ status?: string }>('GET', `${urls.order}/orders/${orderId}`)).body?.status;
    if (status === 'DELIVERED') break;
    if (i > 600) throw new Error(`the history's template order ${orderId} is ${status} after 60 s`);
    await sleep(100);
  }

  const client = await new MongoClient(mongoUrl).connect();
  try {
    // The template: every document of the services' databases that names the order, its customer or its product.
    const templates: Array<{ db: string; collection: string; doc: string }> = [];
    const { databases } = await client.db('admin').admin().listDatabases();
    for (const { name } of databases.filter((d) => d.name.startsWith('eventmart-'))) {
      for (const { name: collection } of await client.db(name).listCollections().toArray()) {
        for (const doc of await client.db(name).collection(collection).find({}).toArray()) {
          const text = JSON.stringify(doc);
          if (!text.includes(orderId) && !text.includes(TEMPLATE_CUSTOMER) && !text.includes(TEMPLATE_SKU)) continue;
          const { due: _due, timer: _timer, ...rest } = doc as Document;
          templates.push({ db: name, collection, doc: JSON.stringify(rest) });
        }
      }
    }
    let documents = 0;
    for (let from = 0; from < orders; from += BATCH) {
      const batches = new Map<string, Document[]>();
      for (let i = from; i < Math.min(orders, from + BATCH); i++) {
        const ids = new Map<string, string>();
        for (const { db, collection, doc } of templates) {
          const copy = doc
            .replace(UUID, (id) => ids.get(id) ?? ids.set(id, randomUUID()).get(id)!)
            .replaceAll(TEMPLATE_CUSTOMER, `history-${i}`)
            .replaceAll(TEMPLATE_SKU, `HISTORY-${i}`);
          const key = `${db}/${collection}`;
          batches.set(key, [...(batches.get(key) ?? []), JSON.parse(copy) as Document]);
        }
      }
      // One insertMany per collection, all at once: the database's cores share them.
      await Promise.all(
        [...batches].map(async ([key, docs]) => {
          const [db, collection] = key.split('/') as [string, string];
          await client.db(db).collection(collection).insertMany(docs, { ordered: false });
          documents += docs.length;
        }),
      );
    }
    return { orders, documents, seconds: (Date.now() - started) / 1000 };
  } finally {
    await client.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
