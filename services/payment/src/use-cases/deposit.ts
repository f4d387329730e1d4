import { deposit as depositEntry, type Entry } from '../domain/ledger';
import type { LedgerStore } from '../store/ledger-store';

/** Adds money to the customer's account (opening it with the first deposit); returns the ledger as it now is. */
export async function deposit(ledger: LedgerStore, { customerId, amount }: { customerId: string; amount: number }): Promise<Entry[]> {
  await ledger.settle(customerId, () => [depositEntry(amount)]);
  return (await ledger.streams.read(customerId)).events;
}
