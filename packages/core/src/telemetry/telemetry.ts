import type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
  Span,
  SpanContext,
  SpanOptions,
  Tracer,
} from '@opentelemetry/api';
import { isSessionStoreError } from '../errors.js';
import { redactSessionId } from '../session-id.js';
import { knownMethod, knownProtocolVersion, OTHER } from './known-values.js';
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
  static readonly off = new Telemetry(null, undefined, undefined, false, undefined, false);

  /**
   * @param options `false`: off. Otherwise the given providers, or the global ones.
   * @param processId Recorded on every span (`mcp_session_store.process.id`), if given.
   * @param processIdOnMetrics Also on every metric point: only for an id the application chose
   *   (a pod name), not a generated one, which would start new time series at each restart.
   */
  static create(
    options: TelemetryOptions | false | undefined,
    processId?: string,
    processIdOnMetrics = false,
  ): Telemetry {
    if (options === false) return Telemetry.off;
    const api = otelApi();
    if (!api) return Telemetry.off;
    const tracer = (options?.tracerProvider?.getTracer(INSTRUMENTATION_SCOPE) ??
      api.trace.getTracer(INSTRUMENTATION_SCOPE)) as Tracer;
    const meter = (options?.meterProvider?.getMeter(INSTRUMENTATION_SCOPE) ??
      api.metrics.getMeter(INSTRUMENTATION_SCOPE)) as Meter;
    // The metrics API does not bind late: a no-op meter now stays one.
    const metricsOn = meter.constructor !== api.createNoopMeter().constructor;
    return new Telemetry(api, tracer, metricsOn ? meter : undefined, true, processId, processIdOnMetrics);
  }

  private readonly instruments: Instruments | undefined;
  /** The attributes of every metric point: which process recorded it (an application-chosen id only). */
  readonly processAttributes: Attributes;
  /** The attributes of every span: which process recorded it. */
  readonly spanProcessAttributes: Attributes;

  private constructor(
    private readonly api: OtelApiModule | null,
    private readonly tracer: Tracer | undefined,
    meter: Meter | undefined,
    /** False only for {@link Telemetry.off}: the stores are not wrapped at all. */
    readonly enabled: boolean,
    readonly processId: string | undefined,
    processIdOnMetrics: boolean,
  ) {
    this.spanProcessAttributes = processId === undefined ? {} : { [ATTR.processId]: processId };
    this.processAttributes = processIdOnMetrics ? this.spanProcessAttributes : {};
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
    if (!this.api || !this.tracer) return undefined;
    try {
      return this.tryStartRequest(this.api, this.tracer, request, era);
    } catch {
      return undefined; // a third-party propagator or tracer failed: the request goes untraced
    }
  }

  private tryStartRequest(
    api: OtelApiModule,
    tracer: Tracer,
    request: Request,
    era: '2025' | '2026',
  ): RequestTrace | undefined {
    const active = api.context.active();
    const parent = api.trace.getSpan(active)
      ? active
      : api.propagation.extract(active, request.headers, HEADERS_GETTER);
    const span = tracer.startSpan(request.method, SERVER_SPAN, parent);
    if (!span.isRecording() && !this.instruments && !api.trace.isSpanContextValid(span.spanContext())) {
      return undefined;
    }
    return new RequestTrace(this, api, span, parent, request, era);
  }

  /** Records a request's duration (`mcp.server.operation.duration`). */
  recordOperation(seconds: number, attributes: Attributes): void {
    this.instruments?.operationDuration.record(seconds, attributes);
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
    const span = traced
      ? this.tracer.startSpan(
          `${operation} ${COLLECTION[component]}`,
          {
            kind: bus ? api.SpanKind.PRODUCER : api.SpanKind.CLIENT,
            attributes: { ...attributes, ...this.spanProcessAttributes },
          },
          active,
        )
      : undefined;
    Object.assign(attributes, this.processAttributes);
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
      span.setAttributes({ [ATTR.mcpSessionId]: redactSessionId(sessionId), ...this.spanProcessAttributes });
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

  /**
   * The request being served in the active context answered with a JSON-RPC error (`code`) or a
   * tool result marked `isError` (`code` undefined): recorded on its span and duration.
   */
  requestFailed(code: number | undefined): void {
    const api = this.api;
    if (!api) return;
    (api.context.active().getValue(REQUEST_TRACE_KEY) as RequestTrace | undefined)?.failed(code);
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

  /**
   * The active span's context (ids only, not the span or the rest of the context), to keep with a
   * server->client request until the client answers it.
   */
  activeSpanContext(): SpanContext | undefined {
    const api = this.api;
    if (!api) return undefined;
    const span = api.trace.getSpan(api.context.active());
    return span?.isRecording() ? span.spanContext() : undefined;
  }

  /** The active trace context, to put in a bus message; undefined when there is none to carry. */
  carrier(): TraceCarrier | undefined {
    const api = this.api;
    if (!api) return undefined;
    const active = api.context.active();
    if (!api.trace.getSpan(active)) return undefined;
    const carrier: TraceCarrier = {};
    try {
      api.propagation.inject(active, carrier);
    } catch {
      return undefined; // a third-party propagator's failure: the message goes untraced
    }
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
    parent: SpanContext | undefined,
    handle: () => void,
  ): void {
    this.instruments?.forwarded.add(1, {
      ...this.processAttributes,
      [ATTR.forwardedKind]: kind,
      [ATTR.direction]: 'received',
    });
    const api = this.api;
    const tracer = this.tracer;
    let span: Span | undefined;
    let context: Context | undefined;
    if (api && tracer) {
      // Another process's input and a third-party propagator: whatever goes wrong here, the
      // message is still handled (untraced).
      try {
        const parentContext = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
        const usable =
          typeof carrier === 'object' &&
          carrier !== null &&
          Object.values(carrier).every((value) => typeof value === 'string');
        const linked = usable
          ? api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, carrier))
          : undefined;
        span = tracer.startSpan(
          SPAN.forwardedReceive,
          {
            kind: api.SpanKind.CONSUMER,
            ...(linked && api.trace.isSpanContextValid(linked) && { links: [{ context: linked }] }),
          },
          parentContext,
        );
        if (span.isRecording()) {
          span.setAttributes({
            [ATTR.forwardedKind]: kind,
            [ATTR.mcpSessionId]: redactSessionId(sessionId),
            ...this.spanProcessAttributes,
            [ATTR.messagingOperationType]: 'process',
          });
        }
        context = api.trace.setSpan(parentContext, span);
      } catch {
        span = undefined;
      }
    }
    if (!api || !span || !context) {
      handle();
      return;
    }
    try {
      api.context.with(context, handle);
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

/** Where a request's context holds its {@link RequestTrace} (for `requestFailed`). */
const REQUEST_TRACE_KEY = Symbol('mcp-session-store.requestTrace');

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
  /** The context with this span active: run the request's work in it. */
  readonly context: Context;
  /** The request opens a stream that stays open (`subscriptions/listen`): its span ends once set up. */
  opensStream = false;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly api: OtelApiModule,
    readonly span: Span,
    parent: Context,
    request: Request,
    era: '2025' | '2026',
  ) {
    this.recording = span.isRecording();
    // The request's work runs in this context: its span active, and this trace findable (answers).
    this.context = api.trace.setSpan(parent, span).setValue(REQUEST_TRACE_KEY, this);
    const protocolVersion = request.headers.get('mcp-protocol-version');
    this.attributes = {
      ...telemetry.spanProcessAttributes,
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
    if (method === 'tools/call') this.attributes[ATTR.genAiOperationName] = 'execute_tool';
    // The span name is indexed by tracing backends: a method MCP does not define is `_OTHER`.
    const name = knownMethod(method);
    if (this.recording)
      this.span.updateName(name === OTHER || target === undefined ? name : `${name} ${target}`);
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

  /** The answer was a JSON-RPC error (`code`) or a tool result marked `isError` (no code). */
  failed(code: number | undefined): void {
    if (code === undefined) {
      this.attributes[ATTR.errorType] = 'tool_error';
      return;
    }
    this.attributes[ATTR.rpcResponseStatusCode] = String(code);
    this.attributes[ATTR.errorType] = String(code);
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
      // Only values a client cannot multiply (see known-values.ts); no tool name: a client could
      // name a new tool in every call.
      const point: Attributes = {
        ...this.telemetry.processAttributes,
        [ATTR.era]: attributes[ATTR.era],
        [ATTR.mcpMethodName]: knownMethod(String(attributes[ATTR.mcpMethodName])),
      };
      const version = attributes[ATTR.mcpProtocolVersion];
      if (typeof version === 'string') point[ATTR.mcpProtocolVersion] = knownProtocolVersion(version);
      const errorType = attributes[ATTR.errorType];
      if (errorType !== undefined) point[ATTR.errorType] = errorType;
      this.telemetry.recordOperation((performance.now() - this.started) / 1000, point);
    }
  }
}
