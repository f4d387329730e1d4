/**
 * How a trace crosses a hop, with a real OpenTelemetry SDK (spans kept in memory): a handled
 * event is a span under its delivery, or under the event's own traceparent when no request
 * span carries one; what the handler appends records the handling span; a publish is a
 * producer span under what caused it, and its traceparent is what the consumers get.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import pino from 'pino';
import type { DaprClient } from '@dapr/dapr';
import { cloudEventType } from '../src/events';
import { createPublisher, dispatch } from '../src/pubsub';
import { inSpan, traceIdOf } from '../src/tracing';

const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
const log = pino({ level: 'silent' });
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const confirmed = { id: 'e-1', type: cloudEventType('order.confirmed'), source: 'order', data: { orderId: 'o-1' }, traceparent: `00-${TRACE}-${PARENT}-01` };

beforeEach(() => exporter.reset());

describe('tracing across a hop', () => {
  test("without a request span, the handling joins the event's own trace, and the handler records the handling span", async () => {
    let recorded: string | undefined;
    await dispatch({ 'order.confirmed': async (event) => void (recorded = event.traceparent) }, confirmed, log, 'orders');
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('order.confirmed process');
    expect(span!.spanContext().traceId).toBe(TRACE);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT);
    expect(span!.attributes['eventmart.delivery.status']).toBe('SUCCESS');
    expect(recorded).toBe(`00-${TRACE}-${span!.spanContext().spanId}-01`);
  });

  test('under a request span (the delivery), the handling is its child, whatever the envelope says', async () => {
    await inSpan('POST /events/orders', { parent: null }, () => dispatch({ 'order.confirmed': async () => {} }, confirmed, log, 'orders'));
    const [handling, request] = exporter.getFinishedSpans();
    expect(handling!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(handling!.spanContext().traceId).toBe(request!.spanContext().traceId);
  });

  test('a publish is a producer span under its cause, and the event carries that span as its traceparent', async () => {
    const sent: Record<string, string>[] = [];
    const client = {
      pubsub: { publish: async (_p: string, _t: string, _d: unknown, options: { metadata: Record<string, string> }) => (sent.push(options.metadata), {}) },
    };
    const publisher = createPublisher(client as unknown as DaprClient, 'pubsub', 'order');
    // Published outside any active span (a relay's sweep): the parent is the stored traceparent alone.
    await context.with(trace.deleteSpan(context.active()), () =>
      publisher.publish([{ id: 'o-1:confirmed', name: 'order.confirmed', key: 'o-1', data: { orderId: 'o-1' }, traceparent: confirmed.traceparent }]),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('order.confirmed publish');
    expect(span!.parentSpanContext?.spanId).toBe(PARENT);
    expect(sent[0]!['cloudevent.traceparent']).toBe(`00-${TRACE}-${span!.spanContext().spanId}-01`);
    expect(traceIdOf(sent[0]!['cloudevent.traceparent'])).toBe(TRACE);
  });
});
