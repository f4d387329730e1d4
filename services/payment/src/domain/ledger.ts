/**
 * A customer's account is an event-sourced ledger: every deposit, charge and refund is an
 * entry, and the balance is derived from them. Two more entries make the saga safe:
 * `decline` remembers a charge refused (a copy of the order never gets charged later,
 * after a deposit), `void` remembers a cancellation heard before its order (a late
 * order.placed is never charged).
 */
export type EntryKind = 'deposit' | 'charge' | 'refund' | 'decline' | 'void';

export interface Entry {
  seq: number;
  id: string;
  kind: EntryKind;
  amount: number;
  orderId?: string;
  reason?: string;
  at: string;
}

export type NewEntry = Omit<Entry, 'seq' | 'id' | 'at'>;

/** What a decision appends to the ledger: nothing when an earlier copy of the same event decided already. */
export type Decision = NewEntry[];

/** What decisions need of a ledger: the balance, and each order's entries by kind. */
export interface Account {
  balance: number;
  orders: Map<string, Partial<Record<EntryKind, Pick<Entry, 'amount' | 'reason'>>>>;
}

export function emptyAccount(): Account {
  return { balance: 0, orders: new Map() };
}

/** Applies one entry to the account, in place. */
export function applyEntry(account: Account, { kind, amount, orderId, reason }: Pick<Entry, 'kind' | 'amount' | 'orderId' | 'reason'>): void {
  if (kind === 'deposit' || kind === 'refund') account.balance += amount;
  if (kind === 'charge') account.balance -= amount;
  if (orderId !== undefined) account.orders.set(orderId, { ...account.orders.get(orderId), [kind]: { amount, ...(reason === undefined ? {} : { reason }) } });
}

export function accountOf(entries: readonly Entry[]): Account {
  const account = emptyAccount();
  for (const entry of entries) applyEntry(account, entry);
  return account;
}

export function balanceOf(entries: readonly Entry[]): number {
  return accountOf(entries).balance;
}

const find = (account: Account, kind: EntryKind, orderId: string) => account.orders.get(orderId)?.[kind];

export function deposit(amount: number): NewEntry {
  return { kind: 'deposit', amount };
}

/** On order.placed: charge the total if the balance covers it, once per order; otherwise decline it, once. */
export function decideCharge(account: Account, orderId: string, total: number): Decision {
  // Charged, declined, or cancelled before it was placed: decided already.
  if (find(account, 'charge', orderId) || find(account, 'decline', orderId) || find(account, 'void', orderId)) return [];
  const { balance } = account;
  if (balance >= total) return [{ kind: 'charge', amount: total, orderId }];
  return [{ kind: 'decline', amount: total, orderId, reason: `insufficient funds: balance ${balance}, total ${total}` }];
}

/** On order.cancelled: refund what was charged, once; or remember the cancellation if nothing was. */
export function decideRefund(account: Account, orderId: string): Decision {
  if (find(account, 'refund', orderId) || find(account, 'decline', orderId) || find(account, 'void', orderId)) return [];
  const charged = find(account, 'charge', orderId);
  if (charged) return [{ kind: 'refund', amount: charged.amount, orderId }];
  return [{ kind: 'void', amount: 0, orderId }];
}

/** The public fact an entry stands for: a charge succeeded, a decline failed, a refund refunded. */
export function factOfEntry({ kind }: Pick<Entry, 'kind'>): 'payment.succeeded' | 'payment.failed' | 'payment.refunded' | undefined {
  if (kind === 'charge') return 'payment.succeeded';
  if (kind === 'decline') return 'payment.failed';
  if (kind === 'refund') return 'payment.refunded';
  return undefined;
}
