import { MongoClient, type Db } from 'mongodb';

export interface Database {
  client: MongoClient;
  db: Db;
  ping(): Promise<boolean>;
}

/**
 * One client per process. Works against MongoDB and FerretDB alike (no transactions, no sessions needed).
 * Every wait is bounded, so a database that hangs fails the call (a handler answers RETRY, a
 * request 500) instead of holding it forever: finding a server, connecting, waiting for a
 * pooled connection, and each send or receive on the socket.
 */
export async function connectMongo(url: string, dbName: string): Promise<Database> {
  const client = new MongoClient(url, {
    appName: dbName,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    waitQueueTimeoutMS: 5_000,
    socketTimeoutMS: 10_000,
    // Command events feed /metrics' count of round trips (eventmart_db_commands_total).
    monitorCommands: true,
  });
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    async ping() {
      await db.command({ ping: 1 });
      return true;
    },
  };
}

/** True for a duplicate key on a unique index: the "already done" signal of an idempotent write. */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown }).code === 11000;
}

/** A versioned write found another version than it read: someone else wrote first. */
export class ConcurrencyError extends Error {
  constructor(what: string) {
    super(`${what} changed underneath`);
    this.name = 'ConcurrencyError';
  }
}

/**
 * Runs read-decide-write until the write lands: on a ConcurrencyError the state is read
 * again and the decision made anew. Bounded: a hot spot fails loudly instead of spinning.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || i >= maxAttempts) throw err;
    }
  }
}
