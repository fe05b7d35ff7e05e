// One virtual user of the soak: with the SDK's own client, through the balancer, it opens a session,
// lists tools, makes several tool calls (plain, progress and logging, sampling and elicitation
// answered by this client), reads and lists resources, sometimes checks that a notification reaches
// its GET stream, then ends the session with DELETE or abandons it; and again, until told to stop.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  McpError,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { PodRestarter } from './pod-restarts.js';
import type { SoakStats } from './stats.js';

export interface VirtualUserContext {
  endpoint: string;
  stats: SoakStats;
  restarter: PodRestarter;
  /** True once the run's time is up: the user ends its session and returns. */
  stopping: () => boolean;
  /** How long one request may take before it counts as failed. */
  requestTimeoutMs: number;
  random?: () => number;
}

const LLM_ANSWER = 'soak answer from the client LLM';
const POD = /^pod-\d+$/;

/** A result that is not what the example server returns: always an error, never a pod kill. */
class WrongResult extends Error {}
/** Waited in vain for something the cluster should deliver (a notification, the GET stream). */
class NotDelivered extends Error {}
/** Ends the session after a failure that was already counted. */
class SessionFailed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stream reconnection of the virtual users' clients (the server's `retry` sets the delay). */
const RECONNECTION = {
  initialReconnectionDelay: 100,
  maxReconnectionDelay: 1_000,
  reconnectionDelayGrowFactor: 1.5,
  maxRetries: 20,
};

/** A request and its retries: each retry may itself be in flight when the next pod is killed. */
const MAX_ATTEMPTS = 3;

function check(condition: boolean, message: string): void {
  if (!condition) throw new WrongResult(`wrong result: ${message}`);
}

const textOf = (result: unknown): string => {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content;
  return content?.[0]?.type === 'text' ? (content[0].text ?? '') : JSON.stringify(result).slice(0, 200);
};

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    return `${error.message}${causeText}`.replace(/\s+/g, ' ').slice(0, 300);
  }
  return String(error);
}

/**
 * Failures a crashed pod causes: the connection reset under the request (the balancer answers 502,
 * or the socket ends mid-stream), or no answer at all within the timeout (the call ran on the dead
 * process; the client resumed its stream elsewhere, but the result died with the process).
 */
export function isCrashShaped(error: unknown): boolean {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return true;
  if (error instanceof StreamableHTTPError) return error.code === 502;
  if (error instanceof NotDelivered) return true;
  if (error instanceof WrongResult || error instanceof McpError) return false;
  return /fetch failed|terminated|ECONNRESET|socket hang up|other side closed/i.test(describeError(error));
}

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
  getStreamOpens: number;
  /** GET requests that failed before the stream opened: [started, ended] in epoch ms. */
  getOpenFailures: Array<[number, number]>;
  getLog: string[];
  t0: number;
  updates: string[];
  closing: boolean;
}

function openSession(ctx: VirtualUserContext): Session {
  const session: Session = {
    client: new Client(
      { name: 'soak-virtual-user', version: '1.0.0' },
      { capabilities: { sampling: {}, elicitation: {} } },
    ),
    transport: undefined as unknown as StreamableHTTPClientTransport,
    getStreamOpens: 0,
    getOpenFailures: [],
    getLog: [],
    t0: Date.now(),
    updates: [],
    closing: false,
  };
  // The SDK opens the GET stream by itself after initialize (and reopens it with Last-Event-ID when it
  // drops): count the opens, to know when a notification for it can be delivered.
  const note = (line: string) => session.getLog.push(`${Date.now() - session.t0}ms ${line}`);
  const tracked = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const resume = new Headers(init?.headers).get('last-event-id');
    let what = method;
    if (typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { method?: string; id?: unknown };
      what += ` ${body.method ?? 'answer'}${body.id !== undefined ? ` #${String(body.id)}` : ''}`;
    }
    if (resume) what += ` resume ${resume.slice(-10)}`;
    note(what);
    const startedAt = Date.now();
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      note(`${what} threw ${describeError(error)}`);
      if (method === 'GET') session.getOpenFailures.push([startedAt, Date.now()]);
      throw error;
    }
    note(`${what} -> ${response.status}`);
    if (!response.ok || !response.body) return response;
    if (method === 'GET') {
      session.getStreamOpens++;
      ctx.stats.getStream('opened', resume !== null);
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    response.body.pipeTo(writable).then(
      () => {
        note(`${what} ended`);
        if (method === 'GET' && !session.closing) ctx.stats.getStream('ended', resume !== null);
      },
      (error) => {
        note(`${what} broke ${describeError(error)}`);
        if (method === 'GET' && !session.closing) ctx.stats.getStream('broke', resume !== null);
      },
    );
    return new Response(readable, { status: response.status, headers: response.headers });
  };
  session.transport = new StreamableHTTPClientTransport(new URL(ctx.endpoint), {
    fetch: tracked,
    // A client meant to ride out pod restarts: the SDK's default gives up a broken stream after
    // 2 failed reconnects, which one reconnect landing on a pod as it goes down can use up.
    reconnectionOptions: RECONNECTION,
  });
  session.client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant',
    content: { type: 'text', text: LLM_ANSWER },
    model: 'soak-model',
  }));
  session.client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { response: 'soak' },
  }));
  session.client.setNotificationHandler(
    ResourceUpdatedNotificationSchema,
    (n) => void session.updates.push(n.params.uri),
  );
  // Errors the client reports outside any request: its streams dropping and being resumed.
  session.client.onerror = () => {
    if (!session.closing) ctx.stats.getStreamNotices++;
  };
  return session;
}

async function closeQuietly(session: Session | undefined): Promise<void> {
  if (!session) return;
  session.closing = true;
  await session.client.close().catch(() => {});
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new NotDelivered(`${what} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * Runs `op`; on a crash-shaped failure of a request in flight while a pod was SIGKILLed, counts it
 * as such and retries. A retry is judged by the same rule (it may run on the next pod to be killed),
 * up to {@link MAX_ATTEMPTS} attempts in all. Any other failure, or a failed retry, is an error and
 * throws {@link SessionFailed}.
 */
async function request<T>(
  ctx: VirtualUserContext,
  op: string,
  run: () => Promise<T>,
  debugLog?: () => string,
): Promise<T> {
  ctx.stats.request(op);
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const t0 = performance.now();
    try {
      const result = await run();
      ctx.stats.ok(op, performance.now() - t0);
      if (attempt > 1) ctx.stats.retriesOk++;
      return result;
    } catch (error) {
      // A retry is judged like the first attempt: it may itself run on the next pod to be killed.
      if (
        attempt < MAX_ATTEMPTS &&
        isCrashShaped(error) &&
        ctx.restarter.inFlightDuringKill(started, Date.now())
      ) {
        ctx.stats.killed(op, describeError(error));
        continue;
      }
      if (attempt > 1) {
        ctx.stats.retriesFailed++;
        ctx.stats.error(op, `retry after a pod kill failed: ${describeError(error)}`, 'retry-failed');
      } else {
        ctx.stats.error(op, describeError(error));
      }
      if (process.env.SOAK_DEBUG) {
        console.log(
          `DEBUG ${op} failed (started ${started - ctx.stats.startedAt} ms into the run): ${describeError(error)}\n  ${debugLog?.() ?? ''}`,
        );
      }
      throw new SessionFailed();
    }
  }
}

type Step = (ctx: VirtualUserContext, session: Session) => Promise<void>;

const call = (session: Session, ctx: VirtualUserContext, name: string, args?: Record<string, unknown>) =>
  session.client.callTool({ name, ...(args && { arguments: args }) }, undefined, {
    timeout: ctx.requestTimeoutMs,
  });

/** The calls a session picks from, with their weights. */
const STEPS: Array<[weight: number, op: string, step: Step]> = [
  [
    3,
    'tools/call whoami',
    async (ctx, s) => {
      const pod = textOf(await call(s, ctx, 'whoami'));
      check(POD.test(pod), `whoami answered '${pod}'`);
    },
  ],
  [
    2,
    'tools/call test_simple_text',
    async (ctx, s) => {
      const text = textOf(await call(s, ctx, 'test_simple_text'));
      check(text === 'This is a simple text response for testing.', text);
    },
  ],
  [
    2,
    'tools/call count (progress)',
    async (ctx, s) => {
      const progress: number[] = [];
      const result = await s.client.callTool(
        { name: 'count', arguments: { steps: 3, delayMs: 20 } },
        undefined,
        { timeout: ctx.requestTimeoutMs, onprogress: (p) => void progress.push(p.progress) },
      );
      check(/^pod-\d+:counted 3$/.test(textOf(result)), textOf(result));
      check(progress.join() === '1,2,3', `progress ${progress.join()}`);
    },
  ],
  [
    1,
    'tools/call test_tool_with_logging',
    async (ctx, s) => {
      const text = textOf(await call(s, ctx, 'test_tool_with_logging'));
      check(text === 'Tool with logging executed successfully', text);
    },
  ],
  [
    1,
    'tools/call test_sampling',
    async (ctx, s) => {
      const text = textOf(await call(s, ctx, 'test_sampling', { prompt: 'Say something' }));
      check(text === `LLM response: ${LLM_ANSWER}`, text);
    },
  ],
  [
    1,
    'tools/call test_elicitation',
    async (ctx, s) => {
      const text = textOf(await call(s, ctx, 'test_elicitation', { message: 'Continue?' }));
      check(text === 'User response: action=accept, content={"response":"soak"}', text);
    },
  ],
  [
    1,
    'resources/read',
    async (ctx, s) => {
      const result = await s.client.readResource(
        { uri: 'test://static-text' },
        { timeout: ctx.requestTimeoutMs },
      );
      const content = result.contents[0] as { text?: string } | undefined;
      check(content?.text === 'This is the content of the static text resource.', JSON.stringify(result));
    },
  ],
];
const TOTAL_WEIGHT = STEPS.reduce((sum, [weight]) => sum + weight, 0);

function pickStep(random: () => number): [string, Step] {
  let r = random() * TOTAL_WEIGHT;
  for (const [weight, op, step] of STEPS) {
    r -= weight;
    if (r < 0) return [op, step];
  }
  const [, op, step] = STEPS[0]!;
  return [op, step];
}

/** One session, start to end. Failures were counted where they happened; this never throws. */
async function runSession(ctx: VirtualUserContext): Promise<void> {
  const random = ctx.random ?? Math.random;
  const think = () => sleep(Math.floor(random() * 40));
  let session: Session | undefined;
  try {
    await request(ctx, 'initialize', async () => {
      await closeQuietly(session);
      session = openSession(ctx);
      await session.client.connect(session.transport, { timeout: ctx.requestTimeoutMs });
    });
    ctx.stats.sessionsOpened++;
    const s = session!;
    await think();
    await request(ctx, 'tools/list', async () => {
      const { tools } = await s.client.listTools(undefined, { timeout: ctx.requestTimeoutMs });
      check(
        tools.some((t) => t.name === 'whoami'),
        `${tools.length} tools, no whoami`,
      );
    });
    const calls = 3 + Math.floor(random() * 4);
    for (let i = 0; i < calls && !ctx.stopping(); i++) {
      await think();
      const [op, step] = pickStep(random);
      await request(
        ctx,
        op,
        () => step(ctx, s),
        () => `session started ${s.t0 - ctx.stats.startedAt} ms: ${s.getLog.join(' | ')}`,
      );
    }
    if (!ctx.stopping()) {
      await think();
      await request(ctx, 'resources/list', async () => {
        const { resources } = await s.client.listResources(undefined, { timeout: ctx.requestTimeoutMs });
        check(
          resources.some((r) => r.uri === 'test://static-text'),
          `${resources.length} resources`,
        );
      });
    }
    // One session in three: a notification sent outside any request must reach the GET stream, which
    // may be held by another pod than the one sending it.
    if (!ctx.stopping() && random() < 1 / 3) {
      const op = 'notification on the GET stream';
      // The SDK client opens its GET stream once after initialize and does not try again if that
      // first request fails: when it was in flight on a pod being SIGKILLed, the session has no GET
      // stream for good. That is the request lost to the kill; there is nothing to retry it with.
      await until(() => s.getStreamOpens > 0, 'the GET stream open', 5_000).catch(() => {});
      const lostToKill = s.getOpenFailures.some(([from, to]) => ctx.restarter.inFlightDuringKill(from, to));
      if (s.getStreamOpens === 0 && lostToKill) {
        ctx.stats.request(op);
        ctx.stats.killed(
          op,
          'its GET stream was being opened on a pod when it was SIGKILLed (the SDK client does not retry a failed first open)',
          false,
        );
      } else
        await request(ctx, op, async () => {
          await until(() => s.getStreamOpens > 0, 'the GET stream open', 5_000);
          const before = s.updates.length;
          const pod = textOf(await call(s, ctx, 'announce'));
          check(POD.test(pod), `announce answered '${pod}'`);
          const uri = `test://updated-by/${pod}`;
          await until(
            () => s.updates.slice(before).includes(uri),
            `resources/updated from ${pod} on the GET stream`,
            ctx.requestTimeoutMs,
          );
        });
    }
    // Three sessions in four end with DELETE; the rest are abandoned (the client just goes away), as
    // real clients do: the pods must forget them on their own.
    if (ctx.stopping() || random() < 0.75) {
      let attempts = 0;
      await request(ctx, 'DELETE', async () => {
        try {
          await s.transport.terminateSession();
        } catch (error) {
          // A retried DELETE whose first attempt was carried out before its pod died finds nothing.
          if (!(++attempts > 1 && error instanceof StreamableHTTPError && error.code === 404)) throw error;
        }
      });
      ctx.stats.sessionsDeleted++;
    } else {
      ctx.stats.sessionsAbandoned++;
    }
  } catch (error) {
    if (!(error instanceof SessionFailed)) ctx.stats.error('virtual user', describeError(error));
  } finally {
    await closeQuietly(session);
  }
}

/** Runs sessions one after another until `ctx.stopping()`. */
export async function runVirtualUser(ctx: VirtualUserContext): Promise<void> {
  while (!ctx.stopping()) await runSession(ctx);
}
