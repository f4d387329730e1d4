import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

export { SpanKind };

const tracer = trace.getTracer('eventmart');

/**
 * The W3C traceparent of the active span: what an event appended now records as its cause,
 * so that the relay's publish and every consumer's handling join the same trace. Undefined
 * when no tracing is set up (unit tests).
 */
export function currentTraceparent(): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The trace id inside a traceparent (version-traceid-spanid-flags). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

export interface SpanOptions {
  kind?: SpanKind;
  /** The traceparent the span belongs under; the active span when not given, a new trace when null. */
  parent?: string | null;
  attributes?: Attributes;
}

/** Runs `work` in a new active span that ends with it; an error marks the span and is thrown on. */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const { kind = SpanKind.INTERNAL, parent, attributes } = options;
  const parentContext = parent === undefined ? context.active() : parent === null ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent: parent });
  return tracer.startActiveSpan(name, { kind, ...(attributes ? { attributes } : {}) }, parentContext, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The active span, to name or annotate it (a no-op span when there is none). */
export function activeSpan() {
  return trace.getActiveSpan();
}

/** Sends the spans still buffered (set up by ./telemetry); the last step of a stop. */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}
