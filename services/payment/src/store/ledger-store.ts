import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createEventStreamStore, createFoldCache, type EventStreamStore } from '@eventmart/shared/event-stream';
import { applyEntry, emptyAccount, factOfEntry, type Account, type Decision, type Entry, type NewEntry } from '../domain/ledger';

/** A ledger entry as stored; its place (seq) comes from the commit; the trace it was decided in goes with it. */
export type StoredEntry = Omit<Entry, 'seq'> & { traceparent?: string };

/** Every customer's ledger: one event stream per customer (see services/shared/src/event-stream.ts). */
export interface LedgerStore {
  streams: EventStreamStore<StoredEntry>;
  /**
   * Decides on the customer's account (folded once, then caught up by id) and appends what
   * was decided; decided again if another writer appended to the same ledger first.
   */
  settle(customerId: string, decide: (account: Account) => Decision, cause?: string, traceparent?: string): Promise<void>;
}

export async function createLedgerStore(db: Db): Promise<LedgerStore> {
  return ledgerStoreOn(await createEventStreamStore<StoredEntry>(db, 'ledger'));
}

/** The ledgers over their streams, wherever those are kept (in memory, in a unit test). */
export function ledgerStoreOn(streams: EventStreamStore<StoredEntry>): LedgerStore {
  const accounts = createFoldCache(streams, emptyAccount, applyEntry);
  return {
    streams,
    settle(customerId, decide, cause, traceparent) {
      return accounts.decide(customerId, (account) => {
        const decision = decide(account);
        const at = new Date().toISOString();
        const added = decision.map((entry: NewEntry) => ({
          ...entry,
          id: randomUUID(),
          at,
          ...(traceparent === undefined ? {} : { traceparent }),
        }));
        // Entries that are public facts (a charge, a decline, a refund) go out through the outbox.
        const outbox = added.some((entry) => factOfEntry(entry) !== undefined);
        return { result: undefined, events: added, options: { ...(cause === undefined ? {} : { cause }), outbox, at } };
      });
    },
  };
}
