// A forwarded client message comes from another process: whatever its `trace` field holds, and
// whatever a third-party propagator does with it, the message is handled (traced when possible).
import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Telemetry } from '../../src/telemetry/telemetry.js';

const exporter = new InMemorySpanExporter();
const telemetry = Telemetry.create(
  { tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) },
  'pod-a',
);

afterEach(() => {
  propagation.disable();
  exporter.reset();
});

const garbage: unknown[] = [
  undefined,
  null,
  'traceparent',
  { traceparent: 5 },
  { traceparent: 'not-a-traceparent' },
  { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' },
  [1, 2],
];

test.each(garbage)('a trace field of %j: handled, traced without a link', (carrier) => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  let handled = 0;
  telemetry.forwardedReceived('response', 'session-id-1234567890', carrier as never, undefined, () => {
    handled++;
  });
  expect(handled).toBe(1);
  const [span] = exporter.getFinishedSpans();
  expect(span?.name).toBe('mcp_session_store.forwarded process');
  expect(span?.links).toEqual([]);
});

test('a propagator that throws: the message is handled all the same (untraced)', () => {
  const throwing: TextMapPropagator = {
    inject: () => {
      throw new Error('inject failed');
    },
    extract: () => {
      throw new Error('extract failed');
    },
    fields: () => ['traceparent'],
  };
  propagation.setGlobalPropagator(throwing);
  let handled = 0;
  telemetry.forwardedReceived(
    'cancellation',
    'session-id-1234567890',
    { traceparent: 'x' },
    undefined,
    () => {
      handled++;
    },
  );
  expect(handled).toBe(1);
  expect(telemetry.carrier()).toBeUndefined();
});
