/** A customer-facing event as browsers receive it. The id is the CloudEvent id: the same on every replica. */
export interface FeedEvent {
  id: string;
  type: string;
  orderId: string | undefined;
  data: unknown;
  at: string;
}

/**
 * The last `capacity` events, each once. A browser resumes after the event it saw last
 * (`Last-Event-ID`); when that id is no longer here (too old, or never seen by this
 * replica) it gets everything kept, and drops by id what it already has.
 *
 * Replicas receive events of different topics in slightly different orders, so "after
 * the last id" on another replica could skip an event the browser never saw: `overlap`
 * sends that many events from before the last id again, and the browser drops the copies.
 */
export class RecentEvents {
  private readonly events: FeedEvent[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Keeps the event; false when it is a copy of one kept already. */
  add(event: FeedEvent): boolean {
    if (this.ids.has(event.id)) return false;
    this.events.push(event);
    this.ids.add(event.id);
    while (this.events.length > this.capacity) this.ids.delete(this.events.shift()!.id);
    return true;
  }

  since(lastEventId: string | undefined, overlap = 0): FeedEvent[] {
    const at = lastEventId === undefined ? -1 : this.events.findIndex((e) => e.id === lastEventId);
    return this.events.slice(at === -1 ? 0 : Math.max(0, at + 1 - overlap));
  }

  get size(): number {
    return this.events.length;
  }
}
