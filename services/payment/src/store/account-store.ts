import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { ConcurrencyError, isDuplicateKey } from '@eventmart/shared';
import type { Entry, NewEntry } from '../domain/ledger';

/** One document per customer: the ledger's entries and its version, appended to with a versioned write. */
interface AccountDoc {
  _id: string;
  version: number;
  entries: Entry[];
}

export interface Account {
  customerId: string;
  version: number;
  entries: Entry[];
}

export interface AccountStore {
  /** The account; an empty one at version 0 if it has never been written. */
  load(customerId: string): Promise<Account>;
  /** Appends at `account.version`, or throws ConcurrencyError if someone appended first. */
  append(account: Account, entries: NewEntry[], now: string): Promise<Account>;
  all(): Promise<Account[]>;
}

export function createAccountStore(db: Db): AccountStore {
  const accounts: Collection<AccountDoc> = db.collection('accounts');
  return {
    async load(customerId) {
      const doc = await accounts.findOne({ _id: customerId });
      return { customerId, version: doc?.version ?? 0, entries: doc?.entries ?? [] };
    },
    async append(account, entries, now) {
      const added = entries.map((entry, i) => ({ ...entry, seq: account.version + i + 1, id: randomUUID(), at: now }));
      const version = account.version + added.length;
      if (account.version === 0) {
        try {
          await accounts.insertOne({ _id: account.customerId, version, entries: added });
        } catch (err) {
          if (isDuplicateKey(err)) throw new ConcurrencyError(`account ${account.customerId}`);
          throw err;
        }
      } else {
        const { matchedCount } = await accounts.updateOne(
          { _id: account.customerId, version: account.version },
          { $push: { entries: { $each: added } }, $set: { version } },
        );
        if (matchedCount === 0) throw new ConcurrencyError(`account ${account.customerId}`);
      }
      return { customerId: account.customerId, version, entries: [...account.entries, ...added] };
    },
    async all() {
      return (await accounts.find().toArray()).map(({ _id, version, entries }) => ({ customerId: _id, version, entries }));
    },
  };
}
