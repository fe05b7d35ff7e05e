import type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
  Span,
  SpanOptions,
  Tracer,
} from '@opentelemetry/api';
import { isSessionStoreError } from '../errors.js';
import { redactSessionId } from '../session-id.js';
import { BoundedValues } from './bounded-values.js';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names.js';
import { type OtelApiModule, otelApi } from './otel-api.js';

/** Anything with OpenTelemetry's `TracerProvider.getTracer` (e.g. the trace SDK's provider). */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown;
}

/** Anything with OpenTelemetry's `MeterProvider.getMeter` (e.g. the metrics SDK's provider). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): unknown;
}

/**
 * Where the router's traces and metrics go. Recorded through `@opentelemetry/api` (an optional
 * peer dependency): with no SDK registered, or without the API installed, nothing is recorded.
 *
 * @example
 * ```ts
 * // The usual: register the OpenTelemetry SDK (NodeSDK) before creating the handler; the
 * // router picks up the global providers. Or give providers explicitly:
 * createMcpSessionHandler(factory, { store, bus, telemetry: { tracerProvider, meterProvider } });
 * // Or turn it off entirely (not even a no-op call is made):
 * createMcpSessionHandler(factory, { store, bus, telemetry: false });
 * ```
 */
export interface TelemetryOptions {
  /** Default: the global one (`trace.getTracerProvider()`), which follows an SDK registered later. */
  tracerProvider?: TracerProviderLike | undefined;
  /**
   * Default: the global one (`metrics.getMeterProvider()`) as it is when the handler is created:
   * register the metrics SDK first (OpenTelemetry's metrics API has no late binding).
   */
  meterProvider?: MeterProviderLike | undefined;
}

/** What a store, event store or bus call belongs to. */
export type BackendComponent = 'session_store' | 'event_store' | 'bus' | 'claim_store';

const COLLECTION: Record<BackendComponent, string> = {
  session_store: 'sessions',
  event_store: 'events',
  bus: 'channels',
  claim_store: 'claims',
};

/** `db.system.name` of our adapters (the conventions' names); anything else: the package name. */
export function dbSystemOf(adapter: string): string {
  switch (adapter) {
    case '@mcp-session-store/redis':
      return 'redis';
    case '@mcp-session-store/postgres':
      return 'postgresql';
    case '@mcp-session-store/dynamodb':
      return 'aws.dynamodb';
    case '@mcp-session-store/memory':
      return 'memory';
    default:
      return adapter;
  }
}

/** A stable, low-cardinality `error.type`: the typed error's code, else the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (isSessionStoreError(error)) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return '_OTHER';
}

/** Header access for the W3C trace context carried by an incoming request. */
const HEADERS_GETTER = {
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
  keys: (headers: Headers) => [...headers.keys()],
};

/** A router bus message's trace context (`traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

/** The instruments, made once per router. */
interface Instruments {
  operationDuration: Histogram;
  dbDuration: Histogram;
  messagingDuration: Histogram;
  rehydrations: Counter;
  rehydrationDuration: Histogram;
  forwarded: Counter;
  unavailable: Counter;
  localSessions: ObservableGauge;
  openStreams: ObservableGauge;
}

/**
 * The router's instrumentation. Every method is safe (and cheap) without an SDK: with
 * `@opentelemetry/api` absent or `telemetry: false` they do nothing at all; with the API and no
 * SDK, a request costs one no-op `startSpan` (see `startRequest`).
 */
export class Telemetry {
  /** Records nothing, calls nothing. */
  static readonly off = new Telemetry(null, undefined, undefined, false, undefined);

  /**
   * @param options `false`: off. Otherwise the given providers, or the global ones.
   * @param processId Recorded on every span and metric point (`mcp_session_store.process.id`), if given.
   */
  static create(options: TelemetryOptions | false | undefined, processId?: string): Telemetry {
    if (options === false) return Telemetry.off;
    const api = otelApi();
    if (!api) return Telemetry.off;
    const tracer = (options?.tracerProvider?.getTracer(INSTRUMENTATION_SCOPE) ??
      api.trace.getTracer(INSTRUMENTATION_SCOPE)) as Tracer;
    const meter = (options?.meterProvider?.getMeter(INSTRUMENTATION_SCOPE) ??
      api.metrics.getMeter(INSTRUMENTATION_SCOPE)) as Meter;
    // The metrics API does not bind late: a no-op meter now stays one.
    const metricsOn = meter.constructor !== api.createNoopMeter().constructor;
    return new Telemetry(api, tracer, metricsOn ? meter : undefined, true, processId);
  }

  private readonly instruments: Instruments | undefined;
  /** Client-chosen values on metric points, bounded (see {@link BoundedValues}). */
  private readonly metricValues = {
    [ATTR.mcpMethodName]: new BoundedValues(64),
    [ATTR.genAiToolName]: new BoundedValues(256),
    [ATTR.mcpProtocolVersion]: new BoundedValues(16, /^\d{4}-\d{2}-\d{2}$/),
  } as Record<string, BoundedValues>;
  /** The attributes of every metric point: which process recorded it. */
  readonly processAttributes: Attributes;

  private constructor(
    private readonly api: OtelApiModule | null,
    private readonly tracer: Tracer | undefined,
    meter: Meter | undefined,
    /** False only for {@link Telemetry.off}: the stores are not wrapped at all. */
    readonly enabled: boolean,
    readonly processId: string | undefined,
  ) {
    this.processAttributes = processId === undefined ? {} : { [ATTR.processId]: processId };
    this.instruments = meter && makeInstruments(meter);
  }

  /** Metrics are recorded (a metrics SDK was registered or given). */
  get metricsOn(): boolean {
    return this.instruments !== undefined;
  }

  // --- requests ---------------------------------------------------------------------------------

  /**
   * The span of one routed request (kind SERVER), a child of the active span (an HTTP server
   * span, say) or else of the request's `traceparent`. Undefined when nothing would be recorded:
   * the caller then does no telemetry work for this request at all.
   */
  startRequest(request: Request, era: '2025' | '2026'): RequestTrace | undefined {
    const api = this.api;
    if (!api || !this.tracer) return undefined;
    const active = api.context.active();
    const parent = api.trace.getSpan(active)
      ? active
      : api.propagation.extract(active, request.headers, HEADERS_GETTER);
    const span = this.tracer.startSpan(request.method, SERVER_SPAN, parent);
    if (!span.isRecording() && !this.instruments && !api.trace.isSpanContextValid(span.spanContext())) {
      return undefined;
    }
    return new RequestTrace(this, api, span, api.trace.setSpan(parent, span), request, era);
  }

  /**
   * Records a request's duration (`mcp.server.operation.duration`). The attributes a client chose
   * (method, tool, protocol version) are bounded first: a metric point is a time series.
   */
  recordOperation(seconds: number, attributes: Attributes): void {
    if (!this.instruments) return;
    for (const [key, bounded] of Object.entries(this.metricValues)) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = bounded.of(value);
    }
    this.instruments.operationDuration.record(seconds, attributes);
  }

  // --- backend calls ----------------------------------------------------------------------------

  /**
   * Runs one store / event-store / bus call in a CLIENT span (PRODUCER for a bus publish) and
   * records its duration by operation and error code.
   */
  backendCall<T>(
    component: BackendComponent,
    adapter: string,
    operation: string,
    call: () => Promise<T>,
  ): Promise<T> {
    const api = this.api;
    if (!api || !this.tracer) return call();
    // A span only inside a traced request (or forwarded message): heartbeats, sweeps and other
    // background calls would otherwise start a root trace every few seconds per process. Their
    // durations are still recorded.
    const active = api.context.active();
    const traced = api.trace.getSpan(active)?.isRecording() === true;
    if (!traced && !this.instruments) return call();
    const bus = component === 'bus';
    const attributes: Attributes = bus
      ? {
          [ATTR.messagingSystem]: dbSystemOf(adapter),
          [ATTR.messagingOperationName]: operation,
          [ATTR.messagingOperationType]: 'send',
        }
      : {
          [ATTR.dbSystemName]: dbSystemOf(adapter),
          [ATTR.dbOperationName]: operation,
          [ATTR.dbCollectionName]: COLLECTION[component],
        };
    attributes[ATTR.component] = component;
    attributes[ATTR.adapter] = adapter;
    if (this.processId !== undefined) attributes[ATTR.processId] = this.processId;
    const span = traced
      ? this.tracer.startSpan(
          `${operation} ${COLLECTION[component]}`,
          { kind: bus ? api.SpanKind.PRODUCER : api.SpanKind.CLIENT, attributes },
          active,
        )
      : undefined;
    const started = performance.now();
    const finish = (error?: unknown) => {
      if (error !== undefined) {
        const type = errorTypeOf(error);
        attributes[ATTR.errorType] = type;
        span?.setAttribute(ATTR.errorType, type);
        span?.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
      }
      span?.end();
      const seconds = (performance.now() - started) / 1000;
      (bus ? this.instruments?.messagingDuration : this.instruments?.dbDuration)?.record(seconds, attributes);
    };
    let pending: Promise<T>;
    try {
      pending = span ? api.context.with(api.trace.setSpan(active, span), call) : call();
    } catch (error) {
      finish(error);
      throw error;
    }
    return pending.then(
      (value) => {
        finish();
        return value;
      },
      (error: unknown) => {
        finish(error);
        throw error;
      },
    );
  }

  // --- sessions and streams ---------------------------------------------------------------------

  /** Runs a rehydration in its span and counts it (`mcp_session_store.session.rehydrations`). */
  async rehydration<T>(sessionId: string, call: () => Promise<T>): Promise<T> {
    const api = this.api;
    if (!api || !this.tracer) return call();
    const span = this.tracer.startSpan(SPAN.rehydrate, { kind: api.SpanKind.INTERNAL }, api.context.active());
    const recording = span.isRecording();
    if (recording) {
      span.setAttributes({
        [ATTR.mcpSessionId]: redactSessionId(sessionId),
        [ATTR.processId]: this.processId,
      });
    }
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await api.context.with(api.trace.setSpan(api.context.active(), span), call);
    } catch (error) {
      outcome = 'error';
      if (recording) {
        const type = errorTypeOf(error);
        span.setAttribute(ATTR.errorType, type);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
      }
      throw error;
    } finally {
      span.end();
      if (this.instruments) {
        const attributes = { ...this.processAttributes, [ATTR.outcome]: outcome };
        this.instruments.rehydrations.add(1, attributes);
        this.instruments.rehydrationDuration.record((performance.now() - started) / 1000, attributes);
      }
    }
  }

  /** Counts a 503 answer by its cause (`mcp_session_store.http.unavailable`). */
  unavailable(cause: 'backend_unavailable' | 'closed' | 'event_store'): void {
    this.instruments?.unavailable.add(1, { ...this.processAttributes, [ATTR.unavailableCause]: cause });
  }

  /**
   * Reports a gauge from `read` at each collection: live local sessions, or open streams of a
   * kind. Returns the function that stops it (call it when the router closes).
   */
  observe(gauge: 'local_sessions' | 'get_streams' | 'listen_streams', read: () => number): () => void {
    const instruments = this.instruments;
    if (!instruments) return () => {};
    const instrument = gauge === 'local_sessions' ? instruments.localSessions : instruments.openStreams;
    const attributes: Attributes =
      gauge === 'local_sessions'
        ? this.processAttributes
        : { ...this.processAttributes, [ATTR.streamKind]: gauge === 'get_streams' ? 'get' : 'listen' };
    const callback = (result: ObservableResult) => result.observe(read(), attributes);
    instrument.addCallback(callback);
    return () => instrument.removeCallback(callback);
  }

  // --- across processes -------------------------------------------------------------------------

  /** The active context, to keep with a server->client request until the client answers it. */
  activeContext(): Context | undefined {
    const api = this.api;
    if (!api) return undefined;
    const active = api.context.active();
    return api.trace.getSpan(active)?.isRecording() ? active : undefined;
  }

  /** The active trace context, to put in a bus message; undefined when there is none to carry. */
  carrier(): TraceCarrier | undefined {
    const api = this.api;
    if (!api) return undefined;
    const active = api.context.active();
    if (!api.trace.getSpan(active)) return undefined;
    const carrier: TraceCarrier = {};
    api.propagation.inject(active, carrier);
    return Object.keys(carrier).length > 0 ? carrier : undefined;
  }

  /**
   * Handles a client message another process forwarded (an answer to a request of this process,
   * or a cancellation): a CONSUMER span linked to the sender's trace (`carrier`), the child of
   * `parent` (the request that asked, on this process) when known. Counted as received.
   */
  forwardedReceived(
    kind: ForwardedKind,
    sessionId: string,
    carrier: TraceCarrier | undefined,
    parent: Context | undefined,
    handle: () => void,
  ): void {
    this.instruments?.forwarded.add(1, {
      ...this.processAttributes,
      [ATTR.forwardedKind]: kind,
      [ATTR.direction]: 'received',
    });
    const api = this.api;
    if (!api || !this.tracer) {
      handle();
      return;
    }
    // From another process over the bus: used only if it is what a propagator reads (strings).
    const usable =
      typeof carrier === 'object' &&
      carrier !== null &&
      Object.values(carrier).every((value) => typeof value === 'string');
    const linked = usable
      ? api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, carrier))
      : undefined;
    const options: SpanOptions = {
      kind: api.SpanKind.CONSUMER,
      ...(linked && api.trace.isSpanContextValid(linked) && { links: [{ context: linked }] }),
    };
    const span = this.tracer.startSpan(SPAN.forwardedReceive, options, parent ?? api.ROOT_CONTEXT);
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR.forwardedKind]: kind,
        [ATTR.mcpSessionId]: redactSessionId(sessionId),
        [ATTR.processId]: this.processId,
        [ATTR.messagingOperationType]: 'process',
      });
    }
    try {
      api.context.with(api.trace.setSpan(parent ?? api.ROOT_CONTEXT, span), handle);
    } finally {
      span.end();
    }
  }

  /** Counts a client message forwarded to another process. */
  forwardedSent(kind: ForwardedKind): void {
    this.instruments?.forwarded.add(1, {
      ...this.processAttributes,
      [ATTR.forwardedKind]: kind,
      [ATTR.direction]: 'sent',
    });
  }
}

/** What a forwarded client message is. */
export type ForwardedKind = 'response' | 'cancellation' | 'notification';

const SERVER_SPAN: SpanOptions = { kind: 1 /* SpanKind.SERVER */ };

/**
 * Bucket edges of every duration histogram, in seconds: the semantic conventions' advice for
 * request and database durations (the SDK's default edges are meant for milliseconds: every
 * request would fall in the first bucket).
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

function makeInstruments(meter: Meter): Instruments {
  const seconds = (description: string) => ({
    unit: 's',
    description,
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
  });
  return {
    operationDuration: meter.createHistogram(
      METRIC.serverOperationDuration,
      seconds('MCP request duration as seen by the server, until its answer is complete.'),
    ),
    dbDuration: meter.createHistogram(
      METRIC.dbOperationDuration,
      seconds('Session store, event store and claim store calls, by operation.'),
    ),
    messagingDuration: meter.createHistogram(
      METRIC.messagingOperationDuration,
      seconds('Message bus publishes.'),
    ),
    rehydrations: meter.createCounter(METRIC.rehydrations, {
      unit: '{session}',
      description: 'Sessions brought back on this process from the store.',
    }),
    rehydrationDuration: meter.createHistogram(
      METRIC.rehydrationDuration,
      seconds('Time to bring a stored session back on this process.'),
    ),
    forwarded: meter.createCounter(METRIC.forwardedMessages, {
      unit: '{message}',
      description: 'Client messages forwarded between processes over the bus.',
    }),
    unavailable: meter.createCounter(METRIC.unavailable, {
      unit: '{response}',
      description: 'Requests answered 503, by cause.',
    }),
    localSessions: meter.createObservableGauge(METRIC.localSessions, {
      unit: '{session}',
      description: 'Sessions this process holds live.',
    }),
    openStreams: meter.createObservableGauge(METRIC.openStreams, {
      unit: '{stream}',
      description: 'GET (2025) and listen (2026-07-28) streams this process is feeding.',
    }),
  };
}

/** The JSON-RPC request a span is named after: its method, id and target. */
interface DescribedMessage {
  method?: unknown;
  id?: unknown;
  params?: unknown;
}

/**
 * One routed request's span and `mcp.server.operation.duration` point. The router fills in what
 * it learns (method, session, era) and ends it when the answer is complete.
 */
export class RequestTrace {
  private readonly started = performance.now();
  private readonly attributes: Attributes;
  private readonly recording: boolean;
  private ended = false;
  /** The request opens a stream that stays open (`subscriptions/listen`): its span ends once set up. */
  opensStream = false;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly api: OtelApiModule,
    readonly span: Span,
    /** The context with this span active: run the request's work in it. */
    readonly context: Context,
    request: Request,
    era: '2025' | '2026',
  ) {
    this.recording = span.isRecording();
    const protocolVersion = request.headers.get('mcp-protocol-version');
    this.attributes = {
      [ATTR.processId]: telemetry.processId,
      [ATTR.era]: era,
      [ATTR.networkTransport]: 'tcp',
      [ATTR.networkProtocolName]: 'http',
      [ATTR.httpRequestMethod]: request.method,
      ...(protocolVersion !== null && { [ATTR.mcpProtocolVersion]: protocolVersion }),
    };
  }

  /** Runs `work` with this request's span active (store calls and rehydration become its children). */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.api.context.with(this.context, work);
  }

  /** The request's era: 2025 (sessions) or 2026 (session-less). */
  era(era: '2025' | '2026'): void {
    this.attributes[ATTR.era] = era;
  }

  /** Names the span after the (first) JSON-RPC request or notification: `{method} {target}`. */
  describe(message: DescribedMessage | undefined): void {
    if (!message) return;
    if (typeof message.method !== 'string') {
      // The client's answer to a server->client request (an elicitation result, say).
      if (typeof message.id === 'string' || typeof message.id === 'number') {
        this.attributes[ATTR.jsonrpcRequestId] = String(message.id);
      }
      this.rename(SPAN.clientResponse);
      return;
    }
    const method = message.method;
    this.attributes[ATTR.mcpMethodName] = method;
    if (method === 'subscriptions/listen') this.opensStream = true;
    this.attributes[ATTR.jsonrpcProtocolVersion] = '2.0';
    if (typeof message.id === 'string' || typeof message.id === 'number') {
      this.attributes[ATTR.jsonrpcRequestId] = String(message.id);
    }
    const params = (message.params ?? {}) as { name?: unknown; uri?: unknown; protocolVersion?: unknown };
    let target: string | undefined;
    if (method === 'tools/call' && typeof params.name === 'string') {
      target = params.name;
      this.attributes[ATTR.genAiToolName] = target;
    } else if (method === 'prompts/get' && typeof params.name === 'string') {
      target = params.name;
      this.attributes[ATTR.genAiPromptName] = target;
    } else if (method.startsWith('resources/') && typeof params.uri === 'string') {
      this.attributes[ATTR.mcpResourceUri] = params.uri;
    }
    if (method === 'initialize' && typeof params.protocolVersion === 'string') {
      this.attributes[ATTR.mcpProtocolVersion] ??= params.protocolVersion;
    }
    if (this.recording) this.span.updateName(target === undefined ? method : `${method} ${target}`);
  }

  /** Names a request that is not a JSON-RPC call (a GET stream, a DELETE). */
  rename(name: string): void {
    if (this.recording) this.span.updateName(name);
  }

  /** The session the request belongs to (redacted) and how this process found it. */
  session(sessionId: string, source: 'new' | 'local' | 'rehydrated' | 'store'): void {
    if (!this.recording) return;
    this.span.setAttribute(ATTR.mcpSessionId, redactSessionId(sessionId));
    this.span.setAttribute(ATTR.sessionSource, source);
  }

  /** Ends the span with the answer's status (once; later calls are ignored). */
  end(status: number, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const attributes = this.attributes;
    if (error !== undefined) attributes[ATTR.errorType] = errorTypeOf(error);
    else if (status >= 500) attributes[ATTR.errorType] = String(status);
    if (this.recording) {
      this.span.setAttributes(attributes);
      this.span.setAttribute(ATTR.httpResponseStatusCode, status);
      if (attributes[ATTR.errorType] !== undefined) {
        this.span.setStatus({
          code: this.api.SpanStatusCode.ERROR,
          message: String(attributes[ATTR.errorType]),
        });
      }
    }
    this.span.end();
    // A GET stream or a DELETE is not an MCP operation: only its span is recorded.
    if (this.telemetry.metricsOn && attributes[ATTR.mcpMethodName] !== undefined) {
      const point: Attributes = {
        [ATTR.processId]: attributes[ATTR.processId],
        [ATTR.era]: attributes[ATTR.era],
      };
      for (const key of [ATTR.mcpMethodName, ATTR.mcpProtocolVersion, ATTR.errorType, ATTR.genAiToolName]) {
        if (attributes[key] !== undefined) point[key] = attributes[key];
      }
      this.telemetry.recordOperation((performance.now() - this.started) / 1000, point);
    }
  }
}
