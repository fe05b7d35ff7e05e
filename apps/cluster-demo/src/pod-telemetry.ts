// A demo pod's OpenTelemetry SDK (`pnpm demo --serve`): loaded by pod.ts only when DEMO_TELEMETRY=1,
// and before the router is created, since OpenTelemetry's metrics API binds when the router asks
// for its meter. The router itself records through `@opentelemetry/api` and finds these providers
// as the global ones (its `telemetry` option left at its default). What it registers, globally:
// - a MeterProvider whose reader is a Prometheus exporter serving /metrics on the pod's own
//   metrics port (DEMO_METRICS_PORTS);
// - with DEMO_TRACES_FILE, a BasicTracerProvider exporting each span as it ends through
//   `ConsoleSpanExporter`, its lines written to that file after the pod's name (the demo prints the
//   file as it grows: a pod's own output is not shown);
// - the AsyncLocalStorage context manager (a request's span stays current across its awaits) and
//   the W3C trace-context propagator (`traceparent` in requests and in the router's bus messages:
//   what links a forwarded answer to the pod that sent it).
import { closeSync, openSync, writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ExportResult, W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { POD_ENV, type PodSettings } from './pod-settings.js';

/** The telemetry a pod registered. */
export interface PodTelemetry {
  /** Where Prometheus scrapes this pod. */
  readonly metricsUrl: string;
  /** Flushes and stops the exporters (the Prometheus server closes). */
  shutdown(): Promise<void>;
}

/**
 * `ConsoleSpanExporter`, its output written to a file every pod appends to: each span in one write
 * (the file is opened for appending, so pods' spans never interleave), each line after `pod`.
 */
class PodSpanPrinter implements SpanExporter {
  private readonly console = new ConsoleSpanExporter();
  private readonly fd: number;

  constructor(
    private readonly pod: string,
    file: string,
  ) {
    this.fd = openSync(file, 'a');
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    // The exporter prints each span with `console.dir`, synchronously: for that call only, what it
    // prints goes to the file instead of this pod's stdout.
    const dir = console.dir;
    console.dir = (item: unknown, options?: object) => {
      const text = inspect(item, { ...options, colors: false });
      writeSync(this.fd, `${text.replace(/^/gm, `${this.pod} | `)}\n`);
    };
    try {
      this.console.export(spans, done);
    } finally {
      console.dir = dir;
    }
  }

  async shutdown(): Promise<void> {
    closeSync(this.fd);
  }
}

/** Registers the SDK for pod `pod` as `settings` say; throws if the pod has no metrics port. */
export async function startPodTelemetry(pod: string, settings: PodSettings): Promise<PodTelemetry> {
  const port = settings.metricsPorts[pod];
  if (port === undefined) throw new Error(`${POD_ENV.metricsPorts} has no port for ${pod}`);
  const resource = resourceFromAttributes({ 'service.name': 'mcp-demo', 'service.instance.id': pod });

  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const prometheus = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
  await prometheus.startServer();
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  let tracerProvider: BasicTracerProvider | undefined;
  if (settings.tracesFile !== '') {
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(new PodSpanPrinter(pod, settings.tracesFile))],
    });
    trace.setGlobalTracerProvider(tracerProvider);
  }

  return {
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider?.shutdown()]);
      contextManager.disable();
    },
  };
}
