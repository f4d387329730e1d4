import { dateTime, ref } from '@eventmart/shared/openapi';
import { catalog, cloudEventType, EVENT_NAMES } from '@eventmart/shared/events';

/** The events the page hears: every one notification consumes. */
export const FEED_EVENTS = EVENT_NAMES.filter((name) => (catalog[name].consumers as readonly string[]).includes('notification'));

/** The data of one frame of GET /stream (domain/recent-events.ts, FeedEvent): an event as the page gets it. */
export const feedEventSchema = {
  description: "The data line of a frame. `data` is the event's, without the shipping address (order.placed carries one).",
  anyOf: FEED_EVENTS.map((name) => ({
    type: 'object',
    additionalProperties: false,
    required: ['id', 'type', 'data', 'at'],
    properties: {
      id: { type: 'string', description: 'The CloudEvent id: the same on every replica, so a page drops copies by it.' },
      type: { const: cloudEventType(name) },
      orderId: { type: 'string' },
      data: ref(name),
      at: dateTime,
    },
  })),
};

/** GET /config.json: where the page finds the APIs (http/page-routes.ts, PageConfig). */
export const pageConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['orderApiUrl', 'paymentApiUrl', 'traceUrl'],
  properties: {
    orderApiUrl: { type: 'string' },
    paymentApiUrl: { type: 'string' },
    traceUrl: { type: 'string', description: "The trace backend's query API; empty: no traces shown." },
  },
};

const count = { type: 'integer', minimum: 0 };

export const streamStatsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clients', 'pendingBytes', 'cutOff', 'refused', 'buffered'],
  properties: {
    clients: { ...count, description: 'Open streams.' },
    pendingBytes: { ...count, description: 'Bytes written to them and not yet sent.' },
    cutOff: { ...count, description: 'Clients cut off: too slow, or stalled.' },
    refused: { ...count, description: 'Clients refused: too many open.' },
    buffered: { ...count, description: 'Recent events kept for clients that resume.' },
  },
};
