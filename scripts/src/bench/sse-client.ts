import { performance } from 'node:perf_hooks';

/** An event as notification's GET /stream pushes it. */
export interface PushedEvent {
  id: string;
  type: string;
  orderId?: string;
  data: { orderId?: string; sku?: string; available?: number };
}

/**
 * A plain Server-Sent Events client (no browser) of notification's /stream: calls `onEvent`
 * with each event and the moment (performance.now()) its bytes arrived. Returns a stop function.
 */
export function subscribe(url: string, onEvent: (event: PushedEvent, at: number) => void): () => void {
  const abort = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/stream`, { signal: abort.signal });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const at = performance.now();
      text += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const data = text
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data: '));
        text = text.slice(end + 2);
        if (data) onEvent(JSON.parse(data.slice(6)) as PushedEvent, at);
      }
    }
  })().catch(() => {});
  return () => abort.abort();
}
