import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createEventStreamStore, retryOnConflict, type EventStreamStore } from '@eventmart/shared';
import { factOfEntry, type Decision, type Entry, type NewEntry } from '../domain/ledger';

/** A ledger entry as stored; its place (seq) comes from the commit; the trace it was decided in goes with it. */
export type StoredEntry = Omit<Entry, 'seq'> & { traceparent?: string };

/** Every customer's ledger: one event stream per customer (see services/shared/src/event-stream.ts). */
export type LedgerStore = EventStreamStore<StoredEntry>;

export function createLedgerStore(db: Db): Promise<LedgerStore> {
  return createEventStreamStore<StoredEntry>(db, 'ledger');
}

/**
 * Reads the customer's ledger, decides, appends what was decided; again from the top if
 * another writer appended to the same ledger first. Returns the ledger after the decision.
 */
export function settle(ledger: LedgerStore, customerId: string, decide: (entries: Entry[]) => Decision, cause?: string, traceparent?: string) {
  return retryOnConflict(async () => {
    const stream = await ledger.read(customerId);
    const decision = decide(stream.events);
    let entries: Entry[] = stream.events;
    if (decision.entries.length > 0) {
      const at = new Date().toISOString();
      const added = decision.entries.map((entry: NewEntry) => ({
        ...entry,
        id: randomUUID(),
        at,
        ...(traceparent === undefined ? {} : { traceparent }),
      }));
      // Entries that are public facts (a charge, a decline, a refund) go out through the outbox.
      const outbox = added.some((entry) => factOfEntry(entry) !== undefined);
      await ledger.append(customerId, stream.version, added, { ...(cause === undefined ? {} : { cause }), outbox, at });
      entries = [...entries, ...added.map((entry, i) => ({ ...entry, seq: stream.version + i + 1 }))];
    }
    return { outcome: decision.outcome, entries };
  });
}
