import { performance } from 'node:perf_hooks';
import { subscribe } from './sse-client';

export interface Figures {
  p50: number;
  p99: number;
  n: number;
}

export function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What an SSE client of a /stream hears, keyed by the bench: each key's arrival time, kept
 * for whoever asks later too (a confirmation can beat its POST's answer: the relay publishes
 * order.placed as soon as it is stored).
 */
export class Arrivals {
  lastEventAt = performance.now();
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly stop: () => void;

  constructor(url: string, keyOf: (event: { type: string; data: { orderId?: string; sku?: string; available?: number } }) => string | undefined) {
    this.stop = subscribe(url, (event, at) => {
      this.lastEventAt = performance.now();
      const key = keyOf(event);
      if (key === undefined) return;
      const waiter = this.waiters.get(key);
      if (waiter) waiter(at);
      else this.seen.set(key, at);
    });
  }

  /** When `key` arrived (performance.now()), waiting up to `timeoutMs`; undefined if it did not. */
  arrival(key: string, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const seen = this.seen.get(key);
      if (seen !== undefined) {
        this.seen.delete(key);
        return resolve(seen);
      }
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(at);
      });
    });
  }

  /** Waits until nothing has arrived for `quietMs` (at most `maxMs`): what an order set off has settled. */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    for (const until = performance.now() + maxMs; performance.now() - this.lastEventAt < quietMs && performance.now() < until;) await sleep(250);
  }

  close(): void {
    this.stop();
  }
}

/** Confirmed on the stream: the key both Eventmart's page stream and the baseline's use. */
export const confirmedKey = (orderId: string) => `confirmed:${orderId}`;

export interface RateRun {
  rate: number;
  orders: number;
  latency: Figures;
  /** Orders not confirmed within the timeout. */
  missing: string[];
  /** Each process's peak resident set over the step and its drain, in bytes (when sampled). */
  rss?: Map<string, number>;
}

/**
 * `count` orders at a steady `rate`, each timed from the moment its POST starts to its
 * confirmation on the stream.
 */
export async function atRate(place: (i: number) => Promise<string>, arrivals: Arrivals, rate: number, count: number, timeoutMs: number): Promise<RateRun> {
  const started = performance.now();
  const pending: Promise<number | undefined>[] = [];
  const missing: string[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(Math.max(0, started + (i * 1000) / rate - performance.now()));
    pending.push(
      (async () => {
        const t0 = performance.now();
        const orderId = await place(i);
        const at = await arrivals.arrival(confirmedKey(orderId), timeoutMs);
        if (at === undefined) missing.push(orderId);
        return at === undefined ? undefined : at - t0;
      })(),
    );
  }
  const results = await Promise.all(pending);
  return { rate, orders: count, latency: figures(results.filter((r): r is number => r !== undefined)), missing };
}

/** The bar a rate must clear to count as carried: every order confirmed, and p99 within this. */
export const CAPACITY_P99_MS = 1_000;

export interface Capacity {
  /** The highest rate carried (0 if none was). */
  rate: number;
  steps: RateRun[];
}

/**
 * Steps up through `rates`, each for `seconds`, until a rate is not carried (an order not
 * confirmed, or p99 over CAPACITY_P99_MS); between steps, waits for the flow to settle.
 */
export async function capacity(
  place: (i: number) => Promise<string>,
  arrivals: Arrivals,
  rates: number[],
  seconds: number,
  /** Starts sampling memory; what it returns stops it and gives each process's peak. */
  sampleRss?: () => () => Map<string, number>,
): Promise<Capacity> {
  const steps: RateRun[] = [];
  let carried = 0;
  let offset = 0;
  for (const rate of rates) {
    const count = Math.max(1, Math.round(rate * seconds));
    const stopSampling = sampleRss?.();
    const step = await atRate((i) => place(offset + i), arrivals, rate, count, 30_000);
    offset += count;
    await arrivals.quiet(2_000, 60_000);
    if (stopSampling) step.rss = stopSampling();
    steps.push(step);
    if (step.missing.length > 0 || !(step.latency.p99 <= CAPACITY_P99_MS)) break;
    carried = rate;
  }
  return { rate: carried, steps };
}
