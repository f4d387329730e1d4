/**
 * The bench's baseline: Eventmart's order flow wired by hand with the brokers' own clients
 * (kafkajs, amqplib) and the same database, no Dapr. One process per role, as Eventmart:
 *
 *   order         POST /orders → insert the order → publish order.placed
 *   payment       order.placed → insert the charge (unique id: once) → publish payment.succeeded
 *   inventory     order.placed → insert the hold (unique id: once) → publish stock.reserved
 *   order         each outcome → insert it (once); with both → mark confirmed → publish order.confirmed
 *   notification  order.confirmed → push to every GET /stream client (Server-Sent Events)
 *
 * At least once and idempotent as Eventmart is (publish waits for the broker's ack, a
 * consumer acks after its insert, a copy hits the unique id), but nothing else: no event
 * store, no outbox, no schemas, no read model. `node baseline.js <role>`, configured by
 * BASELINE_* variables; the bench starts the four roles and drives them like Eventmart.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';

type Handler = (data: Record<string, string>) => Promise<void>;

interface Bus {
  publish(topic: string, data: Record<string, string>): Promise<void>;
  subscribe(topic: string, group: string, handler: Handler): Promise<void>;
  close(): Promise<void>;
}

async function kafkaBus(brokers: string): Promise<Bus> {
  const kafka = new Kafka({ clientId: 'baseline', brokers: [brokers], logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  const consumers: Array<{ disconnect(): Promise<void> }> = [];
  return {
    async publish(topic, data) {
      await producer.send({ topic: `baseline.${topic}`, acks: -1, messages: [{ key: data.orderId, value: JSON.stringify(data) }] });
    },
    async subscribe(topic, group, handler) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `baseline.${topic}`, numPartitions: 6 }], waitForLeaders: true });
      await admin.disconnect();
      const consumer = kafka.consumer({ groupId: `baseline.${group}` });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: `baseline.${topic}`, fromBeginning: false });
      await consumer.run({ eachMessage: async ({ message }) => handler(JSON.parse(String(message.value))) });
    },
    async close() {
      for (const consumer of consumers) await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function rabbitBus(url: string): Promise<Bus> {
  const connection = await amqp.connect(url);
  const publishing = await connection.createConfirmChannel();
  const exchanges = new Set<string>();
  const exchange = async (topic: string) => {
    if (!exchanges.has(topic)) await publishing.assertExchange(`baseline.${topic}`, 'fanout', { durable: true });
    exchanges.add(topic);
    return `baseline.${topic}`;
  };
  return {
    async publish(topic, data) {
      const name = await exchange(topic);
      await new Promise<void>((resolve, reject) =>
        publishing.publish(name, '', Buffer.from(JSON.stringify(data)), { persistent: true, contentType: 'application/json' }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    },
    async subscribe(topic, group, handler) {
      const channel = await connection.createChannel();
      await channel.prefetch(20);
      const queue = `baseline.${group}.${topic}`;
      await channel.assertQueue(queue, { durable: true });
      await channel.bindQueue(queue, await exchange(topic), '');
      await channel.consume(queue, (message) => {
        if (!message) return;
        handler(JSON.parse(message.content.toString())).then(
          () => channel.ack(message),
          () => channel.nack(message),
        );
      });
    },
    async close() {
      await connection.close();
    },
  };
}

/** Inserts a document; a copy (the same id again) is not an error: it is the "already done" signal. */
async function once(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) return false;
    throw err;
  }
}

function listen(port: number, handle: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handle);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const role = process.argv[2];
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const broker = env('BASELINE_BROKER');
  const bus = broker === 'kafka' ? await kafkaBus(env('BASELINE_BROKER_ADDRESS')) : await rabbitBus(env('BASELINE_BROKER_ADDRESS'));
  const mongo = await new MongoClient(env('BASELINE_MONGODB_URL')).connect();
  const db = mongo.db(`baseline_${role}`);
  let server: http.Server | undefined;

  if (role === 'order') {
    const orders = db.collection<{ _id: string; status: string; outcomes?: number }>('orders');
    const outcomes = db.collection<{ _id: string; orderId: string }>('outcomes');
    await outcomes.createIndex({ orderId: 1 });
    await bus.subscribe('outcomes', 'order', async ({ orderId, type }) => {
      if (!(await once(() => outcomes.insertOne({ _id: `${orderId}:${type}`, orderId: orderId! })))) return;
      if ((await outcomes.countDocuments({ orderId })) < 2) return;
      await orders.updateOne({ _id: orderId! }, { $set: { status: 'CONFIRMED' } });
      await bus.publish('confirmed', { type: 'order.confirmed', orderId: orderId! });
    });
    server = await listen(Number(env('BASELINE_PORT')), (request, response) => {
      if (request.method !== 'POST') return void response.writeHead(request.url === '/healthz' ? 200 : 404).end();
      const orderId = randomUUID();
      request.resume().on('end', () => {
        orders
          .insertOne({ _id: orderId, status: 'PENDING' })
          .then(() => bus.publish('orders', { type: 'order.placed', orderId }))
          .then(
            () => response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ orderId })),
            (err: Error) => response.writeHead(500).end(err.message),
          );
      });
    });
  } else if (role === 'payment' || role === 'inventory') {
    const effects = db.collection<{ _id: string }>('effects');
    const outcome = role === 'payment' ? 'payment.succeeded' : 'stock.reserved';
    await bus.subscribe('orders', role, async ({ orderId }) => {
      await once(() => effects.insertOne({ _id: orderId! }));
      await bus.publish('outcomes', { type: outcome, orderId: orderId! });
    });
  } else if (role === 'notification') {
    const clients = new Set<http.ServerResponse>();
    await bus.subscribe('confirmed', 'notification', async (data) => {
      const frame = `id: ${data.orderId}\ndata: ${JSON.stringify({ id: data.orderId, type: data.type, data: { orderId: data.orderId } })}\n\n`;
      for (const client of clients) client.write(frame);
    });
    server = await listen(Number(env('BASELINE_PORT')), (request, response) => {
      if (request.url !== '/stream') return void response.writeHead(request.url === '/healthz' ? 200 : 404).end();
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(': ready\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
    });
  } else {
    throw new Error(`unknown role ${role}: order, payment, inventory or notification`);
  }
  process.stdout.write(`baseline ${role} ready\n`);

  const stop = async () => {
    server?.closeAllConnections();
    server?.close();
    await bus.close().catch(() => undefined);
    await mongo.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline ${process.argv[2]}: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
