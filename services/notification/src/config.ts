import { baseConfigSpec, int, readConfig, str, type BaseConfig } from '@eventmart/shared/config';

export interface Config extends BaseConfig {
  /** Base URL of the order API as the browser reaches it. */
  orderApiUrl: string;
  /** Base URL of the payment API as the browser reaches it (the page shows the balance). */
  paymentApiUrl: string;
  /** Base URL of the trace backend's query API (Jaeger) as the browser reaches it; '' when traces are not collected. */
  traceUiUrl: string;
  streamBufferSize: number;
  streamMaxBufferedBytes: number;
  streamMaxClients: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  return readConfig<Config>(
    {
      ...baseConfigSpec('notification', 8080),
      // Broadcast: every replica must see every event (components/*/pubsub-broadcast.yaml).
      pubsubName: ['PUBSUB_NAME', str('pubsub-broadcast')],
      orderApiUrl: ['ORDER_API_URL', str('http://localhost:3000')],
      paymentApiUrl: ['PAYMENT_API_URL', str('http://localhost:3001')],
      traceUiUrl: ['TRACE_UI_URL', str('')],
      streamBufferSize: ['STREAM_BUFFER_SIZE', int(1_000, { min: 1, max: 1_000_000 })],
      streamMaxBufferedBytes: ['STREAM_MAX_BUFFERED_BYTES', int(256 * 1024, { min: 1024 })],
      streamMaxClients: ['STREAM_MAX_CLIENTS', int(1_000, { min: 1 })],
    },
    env,
  );
}
