import type { Collection, Db } from 'mongodb';
import { ConcurrencyError, isDuplicateKey } from '@eventmart/shared';
import type { NewEvent, RecordedEvent } from '../domain/order';

/**
 * One document per order: its whole stream, its version, the ids of the facts it has
 * handled, and how far the relay has published it. Appending events, marking them
 * unpublished and recording the fact that caused them is one single-document write,
 * guarded by the version (optimistic concurrency): the event store is the outbox.
 */
interface StreamDoc {
  _id: string;
  customerId: string;
  /** `${customerId} ${Idempotency-Key}`, or the order id when the request had none: unique. */
  idempotencyKey: string;
  version: number;
  events: RecordedEvent[];
  handled: string[];
  publishedSeq: number;
  /** Something appended is not yet projected or published. */
  dirty: boolean;
}

export interface Stream {
  orderId: string;
  version: number;
  events: RecordedEvent[];
  handled: string[];
  publishedSeq: number;
}

export interface EventStore {
  /** Starts a stream; with a key seen before, returns the existing order's id instead. */
  create(orderId: string, customerId: string, idempotencyKey: string, events: NewEvent[], ids: string[], now: string): Promise<{ orderId: string; created: boolean }>;
  load(orderId: string): Promise<Stream | undefined>;
  append(stream: Stream, events: NewEvent[], ids: string[], now: string, handledId: string): Promise<void>;
  dirty(): Promise<Stream[]>;
  markPublished(orderId: string, seq: number): Promise<void>;
  markClean(orderId: string, version: number): Promise<void>;
  all(): AsyncIterable<Stream>;
}

const toStream = ({ _id, version, events, handled, publishedSeq }: StreamDoc): Stream => ({ orderId: _id, version, events, handled, publishedSeq });

function record(events: NewEvent[], ids: string[], after: number, now: string): RecordedEvent[] {
  return events.map((event, i) => ({ ...event, seq: after + i + 1, id: ids[i]!, occurredAt: now }));
}

export async function createEventStore(db: Db): Promise<EventStore> {
  const streams: Collection<StreamDoc> = db.collection('order_streams');
  await streams.createIndex({ idempotencyKey: 1 }, { unique: true });
  await streams.createIndex({ dirty: 1 });

  return {
    async create(orderId, customerId, idempotencyKey, events, ids, now) {
      const recorded = record(events, ids, 0, now);
      try {
        await streams.insertOne({ _id: orderId, customerId, idempotencyKey, version: recorded.length, events: recorded, handled: [], publishedSeq: 0, dirty: true });
        return { orderId, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await streams.findOne({ idempotencyKey }, { projection: { _id: 1 } });
        if (!existing) throw err;
        return { orderId: existing._id, created: false };
      }
    },
    async load(orderId) {
      const doc = await streams.findOne({ _id: orderId });
      return doc ? toStream(doc) : undefined;
    },
    async append(stream, events, ids, now, handledId) {
      const recorded = record(events, ids, stream.version, now);
      const { matchedCount } = await streams.updateOne(
        { _id: stream.orderId, version: stream.version },
        {
          $push: { events: { $each: recorded }, handled: handledId },
          $set: { version: stream.version + recorded.length, dirty: true },
        },
      );
      if (matchedCount === 0) throw new ConcurrencyError(`order ${stream.orderId}`);
    },
    async dirty() {
      return (await streams.find({ dirty: true }).limit(200).toArray()).map(toStream);
    },
    async markPublished(orderId, seq) {
      await streams.updateOne({ _id: orderId, publishedSeq: { $lt: seq } }, { $set: { publishedSeq: seq } });
    },
    async markClean(orderId, version) {
      await streams.updateOne({ _id: orderId, version }, { $set: { dirty: false } });
    },
    async *all() {
      for await (const doc of streams.find().sort({ _id: 1 })) yield toStream(doc);
    },
  };
}
