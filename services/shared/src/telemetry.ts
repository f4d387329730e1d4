/**
 * Tracing for a service: imported first by its main.ts (`import '@eventmart/shared/telemetry'`),
 * before anything loads `http` or `mongodb`, so that the instrumentations can wrap them.
 *
 * Configured by the standard OpenTelemetry variables: OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT
 * (an OTLP/HTTP receiver such as Jaeger's, e.g. http://127.0.0.1:4318) and OTEL_TRACES_SAMPLER_ARG
 * (the share of new traces recorded, 1 by default). Without an endpoint nothing is recorded or
 * sent, but trace context still flows: every event and every log line keeps its trace id.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Paths a sidecar or a probe calls all the time: no span for them. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics', '/dapr/subscribe', '/dapr/config', '/v1.0/healthz', '/v1.0/healthz/outbound']);

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const ratio = endpoint ? Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? '1') : 0;

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? 'eventmart' }),
  // A trace that arrives sampled (from the browser, a sidecar) stays sampled; a new one is sampled at `ratio`.
  sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? ratio : 1) }),
  spanProcessors: endpoint ? [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1_000 })] : [],
});
provider.register();

// OTEL_NODE_DISABLED_INSTRUMENTATIONS=http,mongodb leaves those libraries unwrapped (as the
// OpenTelemetry Node auto-instrumentation reads it): the events' own spans stay.
const disabled = new Set((process.env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()));
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    disabled.has('http')
      ? []
      : new HttpInstrumentation({
          ignoreIncomingRequestHook: (request) => UNTRACED.has((request.url ?? '').split('?')[0]!),
          ignoreOutgoingRequestHook: (request) => UNTRACED.has((request.path ?? '').split('?')[0]!),
        }),
    // Only inside a trace (an order's request or event), not for background sweeps.
    disabled.has('mongodb') ? [] : new MongoDBInstrumentation({ requireParentSpan: true }),
  ],
});
