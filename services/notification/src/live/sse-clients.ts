import type { ServerResponse } from 'node:http';
import { counterOf, gaugeOf, type Registry } from '@eventmart/shared/health';
import type { Logger } from '@eventmart/shared/logger';
import type { FeedEvent } from '../domain/recent-events';

export interface SseOptions {
  /** The bytes handed to one client's socket at a time; more follow as it drains. */
  maxBufferedBytes: number;
  /** Events waiting for one client (references to the shared buffer's events); past this it is cut off. */
  maxQueuedEvents: number;
  /** Open streams at most; one more is refused. */
  maxClients: number;
  heartbeatMs: number;
}

export interface SseStats {
  clients: number;
  /** Bytes written to the clients' sockets and not yet sent. */
  pendingBytes: number;
  cutOff: number;
  refused: number;
}

/** Live events for one client: `send` is called with each; the returned function stops them. */
export type Subscribe = (send: (event: FeedEvent) => void) => () => void;

export interface SseClients {
  /** Whether one more client may open a stream; a refusal is counted. */
  admit(): boolean;
  /** Takes over the response: the catch-up, then each live event, until the client goes or is cut off. */
  serve(res: ServerResponse, catchUp: FeedEvent[], subscribe: Subscribe): void;
  stats(): SseStats;
}

// An SSE field ends at CR or LF and an id with NUL is ignored: such an id would break the frame.
const UNSAFE_ID = /[\r\n\0]/;

// One frame per event, shared by every client: a client's queue holds references, not copies.
const frames = new WeakMap<FeedEvent, string>();
function frameOf(event: FeedEvent): string {
  let text = frames.get(event);
  if (text === undefined) {
    const { id, type, data, orderId, at } = event;
    const idLine = UNSAFE_ID.test(id) ? '' : `id: ${id}\n`;
    text = `${idLine}event: message\ndata: ${JSON.stringify({ id, type, orderId, data, at })}\n\n`;
    frames.set(event, text);
  }
  return text;
}

/**
 * The Server-Sent Events clients of one replica. Memory per client is bounded: its socket is
 * handed at most `maxBufferedBytes` (plus one frame) and gets more on 'drain'; what waits
 * meanwhile, the catch-up included, is a queue of references to events the shared buffer
 * holds anyway. A client whose queue passes `maxQueuedEvents` past its catch-up, or whose
 * socket has not drained for a heartbeat, is cut off; its browser resumes from Last-Event-ID
 * when it reconnects.
 */
export function createSseClients(options: SseOptions, log: Logger, metrics?: Registry): SseClients {
  const open = new Set<ServerResponse>();
  let cutOff = 0;
  let refused = 0;
  const pendingBytes = () => [...open].reduce((sum, res) => sum + res.writableLength, 0);
  if (metrics) {
    gaugeOf(metrics, 'eventmart_sse_clients', 'Open /stream clients.', () => open.size);
    gaugeOf(metrics, 'eventmart_sse_pending_bytes', 'Bytes written to /stream clients and not yet sent.', pendingBytes);
    counterOf(metrics, 'eventmart_sse_cut_off_total', 'Clients cut off (too slow or stalled).', () => cutOff);
    counterOf(metrics, 'eventmart_sse_refused_total', 'Clients refused (too many open).', () => refused);
  }

  function serve(res: ServerResponse, catchUp: FeedEvent[], subscribe: Subscribe): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');

    let closed = false;
    let stopListening = () => {};
    let heartbeat: NodeJS.Timeout | undefined = undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      stopListening();
      open.delete(res);
      res.destroy();
    };
    const cut = (why: string) => {
      cutOff++;
      log.warn({ buffered: res.writableLength, queued: queue.length - next }, `stream client ${why}, disconnecting`);
      close();
    };

    // The catch-up is the start of the queue.
    let queue = catchUp;
    // The catch-up may still be waiting when live events come: they get their own allowance.
    const maxWaiting = queue.length + options.maxQueuedEvents;
    let next = 0;
    const pump = () => {
      while (!closed && next < queue.length && res.writableLength < options.maxBufferedBytes) res.write(frameOf(queue[next++]!));
      if (next === queue.length) {
        queue = [];
        next = 0;
      }
    };
    let drained = true;
    res.on('drain', () => {
      drained = true;
      pump();
    });

    open.add(res);
    res.once('close', close);
    pump();
    stopListening = subscribe((event) => {
      if (closed) return;
      if (queue.length - next >= maxWaiting) return cut('too slow');
      queue.push(event);
      pump();
    });
    heartbeat = setInterval(() => {
      // Full since the last beat and not drained once: the client stopped reading.
      if (res.writableNeedDrain && !drained) return cut('stalled');
      drained = !res.writableNeedDrain;
      if (next === queue.length) res.write(': keep-alive\n\n');
    }, options.heartbeatMs);
  }

  return {
    admit() {
      if (open.size < options.maxClients) return true;
      refused++;
      return false;
    },
    serve,
    stats: () => ({ clients: open.size, pendingBytes: pendingBytes(), cutOff, refused }),
  };
}
