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

export type Outcome = { name: 'payment.succeeded' | 'payment.refunded'; amount: number } | { name: 'payment.failed'; amount: number; reason: string };

export interface Decision {
  entries: NewEntry[];
  /** The fact to publish: decided now, or already decided by an earlier copy of the same event. */
  outcome: Outcome | undefined;
}

export function balanceOf(entries: readonly Entry[]): number {
  let balance = 0;
  for (const { kind, amount } of entries) {
    if (kind === 'deposit' || kind === 'refund') balance += amount;
    if (kind === 'charge') balance -= amount;
  }
  return balance;
}

const find = (entries: readonly Entry[], kind: EntryKind, orderId: string) => entries.find((e) => e.kind === kind && e.orderId === orderId);

export function deposit(amount: number): NewEntry {
  return { kind: 'deposit', amount };
}

/** On order.placed: charge the total if the balance covers it, once per order. */
export function decideCharge(entries: readonly Entry[], orderId: string, total: number): Decision {
  const charged = find(entries, 'charge', orderId);
  if (charged)
    return {
      entries: [],
      outcome: { name: 'payment.succeeded', amount: charged.amount },
    };
  const declined = find(entries, 'decline', orderId);
  if (declined)
    return {
      entries: [],
      outcome: {
        name: 'payment.failed',
        amount: declined.amount,
        reason: declined.reason ?? 'declined',
      },
    };
  if (find(entries, 'void', orderId)) return { entries: [], outcome: undefined };
  const balance = balanceOf(entries);
  if (balance >= total)
    return {
      entries: [{ kind: 'charge', amount: total, orderId }],
      outcome: { name: 'payment.succeeded', amount: total },
    };
  const reason = `insufficient funds: balance ${balance}, total ${total}`;
  return {
    entries: [{ kind: 'decline', amount: total, orderId, reason }],
    outcome: { name: 'payment.failed', amount: total, reason },
  };
}

/** On order.cancelled: refund what was charged, once; or remember the cancellation if nothing was. */
export function decideRefund(entries: readonly Entry[], orderId: string): Decision {
  const refunded = find(entries, 'refund', orderId);
  if (refunded)
    return {
      entries: [],
      outcome: { name: 'payment.refunded', amount: refunded.amount },
    };
  const charged = find(entries, 'charge', orderId);
  if (charged)
    return {
      entries: [{ kind: 'refund', amount: charged.amount, orderId }],
      outcome: { name: 'payment.refunded', amount: charged.amount },
    };
  if (find(entries, 'decline', orderId) || find(entries, 'void', orderId)) return { entries: [], outcome: undefined };
  return {
    entries: [{ kind: 'void', amount: 0, orderId }],
    outcome: undefined,
  };
}

/** The public fact an entry stands for: a charge succeeded, a decline failed, a refund refunded. */
export function factOfEntry({ kind }: Pick<Entry, 'kind'>): 'payment.succeeded' | 'payment.failed' | 'payment.refunded' | undefined {
  if (kind === 'charge') return 'payment.succeeded';
  if (kind === 'decline') return 'payment.failed';
  if (kind === 'refund') return 'payment.refunded';
  return undefined;
}
