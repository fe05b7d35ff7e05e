/**
 * A pod's way out during a rolling deploy: on SIGTERM it reports not-ready, keeps serving while the
 * balancer takes it out, then drains the MCP router or handler (streams end with a reconnect hint,
 * in-flight requests finish) and only then closes its listener. Depends on no SDK.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { SessionStoreError } from '../errors.js';

/** What a graceful shutdown drains: any router or handler of this package (they all have `close`). */
export interface Drainable {
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/**
 * Where a pod is in its shutdown: `serving` (ready), `draining` (the grace period: not ready, still
 * serving everything), `closing` (the handler drains: streams end, in-flight requests finish),
 * `closed` (the listener is closed).
 */
export type ShutdownPhase = 'serving' | 'draining' | 'closing' | 'closed';

/** Options of {@link createGracefulShutdown}. */
export interface GracefulShutdownOptions {
  /**
   * The HTTP server the pod listens with: what `app.listen()` (Express), `serve()` (Hono's node
   * server) or `createServer()` return; Fastify: `app.server`. Create the shutdown once its
   * request handler is in place (the probes are answered in front of it).
   */
  server: HttpServer | HttpsServer;
  /** The router or handler to drain: `createMcpSessionRouter`, `createMcpSessionHandler` or `createMcpDualEraHandler`. */
  handler: Drainable;
  /**
   * How long the pod keeps serving after the signal, reporting not-ready, so that the balancer
   * stops sending it requests before anything closes. Longer than your balancer takes to notice
   * (Kubernetes: endpoint propagation, a few seconds; a health-checking balancer: its interval ×
   * failure threshold). 0 if a `preStop` hook already waited. Default 5000.
   */
  graceMs?: number | undefined;
  /**
   * How long in-flight requests may run once the grace period is over, before what remains is cut
   * (the handler's `close({ deadlineMs })`). Longer than your longest tool call. Default 10000.
   */
  deadlineMs?: number | undefined;
  /** The signals that start it. Default `['SIGTERM', 'SIGINT']`; `[]` to call `shutdown()` yourself. */
  signals?: readonly NodeJS.Signals[] | undefined;
  /**
   * The probe paths answered on `server`, in front of your routes, for `GET` and `HEAD`: readiness
   * (200 while serving, 503 from the signal on) and liveness (200 while the process runs, draining
   * included). Default `{ readiness: '/readyz', liveness: '/healthz' }`; `false` answers neither.
   */
  probes?: { readiness?: string | undefined; liveness?: string | undefined } | false | undefined;
  /** Runs once the listener is closed: close your own clients (Redis, a database pool) here. */
  onClosed?: (() => void | Promise<void>) | undefined;
  /** Exits the process when done: code 0, or 1 if the drain or `onClosed` threw. Default true. */
  exit?: boolean | undefined;
  /** Progress lines (each phase, and failures). Default: none. */
  log?: ((message: string) => void) | undefined;
}

/** What {@link createGracefulShutdown} returns. */
export interface GracefulShutdown {
  /** Where the shutdown is (see {@link ShutdownPhase}). */
  readonly phase: ShutdownPhase;
  /** Whether the readiness probe answers 200: only while `serving`. */
  readonly ready: boolean;
  /**
   * Runs the sequence now, as the signals do; resolves once the listener is closed and
   * `onClosed` ran (before the process exits, with `exit`). Calling it again returns the same run.
   */
  shutdown(): Promise<void>;
}

/** Bound on the wait for connections still answering once the handler is closed. */
const LAST_ANSWERS_MS = 1_000;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const isConnectionHeader = (name: unknown): boolean =>
  typeof name === 'string' && name.toLowerCase() === 'connection';

/** `writeHead`'s headers argument without a `Connection` header (object, flat or nested array). */
function withoutConnection(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      return headers.filter((pair: unknown[]) => !isConnectionHeader(pair[0]));
    }
    const kept: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!isConnectionHeader(headers[i])) kept.push(headers[i], headers[i + 1]);
    }
    return kept;
  }
  if (headers !== null && typeof headers === 'object') {
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !isConnectionHeader(name)));
  }
  return headers; // the status message
}

/**
 * Makes `res` the last answer on its connection: `Connection: close`, whatever the handler writes
 * (SSE responses ask for keep-alive). A client or balancer then opens a new connection for its
 * next request, which no longer reaches this pod, instead of reusing one this pod will close: a
 * request sent on a connection just as the server closes it is reset, unanswered.
 */
function lastOnItsConnection(res: ServerResponse): void {
  if (res.headersSent) return;
  res.setHeader('connection', 'close');
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    isConnectionHeader(name) ? res : setHeader(name, value)) as ServerResponse['setHeader'];
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) =>
    writeHead(status, ...rest.map(withoutConnection))) as ServerResponse['writeHead'];
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) {
    throw new SessionStoreError('INVALID_ARGUMENT', `${name} must be a finite number of at least 0`);
  }
  return v;
}

/**
 * Shuts a pod down without losing a request during a rolling deploy. On SIGTERM (or SIGINT):
 * 1. **Not ready, still serving** (`graceMs`): the readiness probe answers 503 so the balancer
 *    takes the pod out; meanwhile every request is served as usual (new sessions and streams
 *    included: a refusal here would be an error the client sees), each answer with
 *    `Connection: close` so no client or balancer keeps a connection to this pod.
 * 2. **Drain** (`deadlineMs`): the handler's `close()`: 2025 GET streams end with an SSE `retry`
 *    hint (the client resumes on another pod, missing nothing), 2026-07-28 listen streams with the
 *    spec's graceful result (the client listens again), in-flight requests finish.
 * 3. **Close**: the listener closes, `onClosed` runs (your Redis client), the process exits.
 *
 * It also answers the probes on `server`, in front of your routes: `GET /readyz` (readiness) and
 * `GET /healthz` (liveness). In Kubernetes: a readiness probe on `/readyz`, a liveness probe on
 * `/healthz`, and `terminationGracePeriodSeconds` above `graceMs` + `deadlineMs` + a few seconds.
 *
 * @param options - the server and handler, the grace period and deadline, what else to close.
 * @returns the current phase, and `shutdown()` to start the sequence without a signal.
 * @throws SessionStoreError `INVALID_ARGUMENT` without a server or handler, or for a negative time.
 * @example
 * ```ts
 * import { createGracefulShutdown, createMcpDualEraHandler } from '@mcp-session-store/core/v2';
 *
 * const handler = createMcpDualEraHandler(buildServer, { store, eventStore, bus });
 * const server = app.listen(3000);
 * createGracefulShutdown({
 *   server,
 *   handler,
 *   graceMs: 10_000, // the balancer's time to notice /readyz
 *   onClosed: () => redis.quit(),
 * });
 * ```
 */
export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { server, handler } = options ?? {};
  if (!server || typeof server.close !== 'function' || typeof handler?.close !== 'function') {
    throw new SessionStoreError('INVALID_ARGUMENT', 'createGracefulShutdown needs a server and a handler');
  }
  const graceMs = nonNegative('graceMs', options.graceMs, 5_000);
  const deadlineMs = nonNegative('deadlineMs', options.deadlineMs, 10_000);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const log = options.log ?? (() => {});
  const probes =
    options.probes === false
      ? undefined
      : { readiness: '/readyz', liveness: '/healthz', ...stripUndefined(options.probes ?? {}) };

  let phase: ShutdownPhase = 'serving';
  let running: Promise<void> | undefined;

  // The probes go in front of the application's own request handler, and every answer from the
  // signal on is the last on its connection.
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (phase !== 'serving') lastOnItsConnection(res);
    if (probes && (req.method === 'GET' || req.method === 'HEAD')) {
      const path = (req.url ?? '').split('?')[0];
      if (path === probes.readiness) {
        answer(res, phase === 'serving' ? 200 : 503, phase === 'serving' ? 'ready' : phase);
        return;
      }
      if (path === probes.liveness) {
        answer(res, 200, 'ok');
        return;
      }
    }
    for (const listener of listeners) listener.call(server, req, res);
  });

  const closeListener = () =>
    new Promise<void>((resolve) => {
      // No new connections; idle ones close now, the others after their answer (Connection: close).
      server.close(() => resolve());
      const stragglers = setTimeout(() => server.closeAllConnections(), LAST_ANSWERS_MS);
      stragglers.unref();
    });

  const sequence = async (): Promise<number> => {
    let code = 0;
    phase = 'draining';
    log(`draining: not ready, serving for ${graceMs} ms while the balancer takes this process out`);
    if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
    phase = 'closing';
    log(`closing: streams end with a reconnect hint, in-flight requests finish (up to ${deadlineMs} ms)`);
    try {
      await handler.close({ deadlineMs });
    } catch (error) {
      code = 1;
      log(`the handler did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
    }
    await closeListener();
    phase = 'closed';
    try {
      await options.onClosed?.();
    } catch (error) {
      code = 1;
      log(`onClosed failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const signal of signals) process.off(signal, onSignal);
    log('closed');
    return code;
  };

  const shutdown = (): Promise<void> => {
    running ??= sequence().then((code) => {
      if (options.exit ?? true) process.exit(code);
    });
    return running;
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (running) {
      // A second signal (Ctrl-C again) does not wait.
      log(`${signal} again: exiting without waiting for the drain`);
      if (options.exit ?? true) process.exit(1);
      return;
    }
    log(`${signal} received`);
    void shutdown();
  }
  for (const signal of signals) process.on(signal, onSignal);

  return {
    get phase() {
      return phase;
    },
    get ready() {
      return phase === 'serving';
    },
    shutdown,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
