// The OpenTelemetry SDK as an application registers it, with in-memory exporters the telemetry
// tests read: every finished span, and the metrics collected on demand (cumulative).
import { type Attributes, context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader that collects only when a test asks (no export interval). */
class OnDemandMetricReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** One data point of one metric, as a test reads it. */
export interface MetricPoint {
  readonly name: string;
  readonly attributes: Attributes;
  /** A counter's or gauge's value; a histogram's count of recordings. */
  readonly value: number;
}

/** A tracer and a meter provider with in-memory exporters. */
export interface OtelSdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Every span finished so far. */
  spans(): ReadableSpan[];
  /** Every metric point now (counters and histograms since the start, gauges as they are now). */
  collect(): Promise<MetricPoint[]>;
}

/** Providers with in-memory exporters, not registered anywhere (for the `telemetry` option). */
export function createOtelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      const points: MetricPoint[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints as Array<{ attributes: Attributes; value: unknown }>) {
            const value =
              typeof point.value === 'number' ? point.value : (point.value as { count: number }).count;
            points.push({ name: metric.descriptor.name, attributes: point.attributes, value });
          }
        }
      }
      return points;
    },
  };
}

/**
 * {@link createOtelSdk}, registered as the global providers, with the context manager and W3C
 * propagator a Node application registers (what `NodeSDK` does): call it before creating the
 * handlers, since a meter binds when the handler is created.
 */
export function registerOtelSdk(): OtelSdk {
  const sdk = createOtelSdk();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(sdk.tracerProvider);
  metrics.setGlobalMeterProvider(sdk.meterProvider);
  return sdk;
}

/** The sum of the values of `points` named `name` whose attributes include `attributes`. */
export function metricValue(points: readonly MetricPoint[], name: string, attributes: Attributes): number {
  return points
    .filter((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + p.value, 0);
}
