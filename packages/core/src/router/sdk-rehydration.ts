/**
 * The only module that relies on how the SDK initializes a session (see the project's SDK facts,
 * section 3), for both SDK majors: `@modelcontextprotocol/sdk` 1.x and `@modelcontextprotocol/server`
 * 2.x keep the same sessionful transport, so it imports neither and takes what differs (the
 * protocol versions) as arguments. The SDK has no API to adopt an existing session id, so a session created on another
 * process is brought back by replaying, through the transport's public `handleRequest`, what the
 * client sent when it created it: `initialize` with the stored parameters (restoring client
 * capabilities and client info on the `Server`, and the session id and "initialized" state on the
 * transport), then `logging/setLevel` if a level was set. The answers are discarded.
 * `test/router/sdk-rehydration.test.ts` fails loudly, on either major, if an SDK upgrade breaks any of this.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isPrimingEvent } from '../contract/event-store.js';
import type { SessionRecord } from '../contract/session-record.js';

/**
 * What rehydration needs of a transport: the public surface that `WebStandardStreamableHTTPServerTransport`
 * has in both SDK majors.
 */
export interface ReplayableTransport {
  readonly sessionId?: string | undefined;
  handleRequest(request: Request): Promise<Response>;
}

/** An SDK major's protocol versions: its `SUPPORTED_PROTOCOL_VERSIONS` and `LATEST_PROTOCOL_VERSION`. */
export interface ProtocolVersions {
  readonly supported: readonly string[];
  readonly latest: string;
}

/** The protocol version `initialize` settles on for a requested one (the SDK's own rule). */
export function negotiatedProtocolVersion(requested: unknown, versions: ProtocolVersions): string {
  return typeof requested === 'string' && versions.supported.includes(requested)
    ? requested
    : versions.latest;
}

const SYNTHETIC_URL = 'http://mcp-session-store.invalid/rehydrate';
const INITIALIZE_ID = 'mcpss-rehydrate-initialize';
const SET_LEVEL_ID = 'mcpss-set-level';
const SYNTHETIC_IDS: ReadonlySet<unknown> = new Set([INITIALIZE_ID, SET_LEVEL_ID]);

/** Set while a synthetic request runs: what the SDK does for it is traced back to it by context. */
const replaying = new AsyncLocalStorage<true>();

/**
 * Whether the SDK is writing `message` for one of this module's synthetic requests: its priming
 * event or its answer. The client never sees these; storing them would cost event-store writes on
 * every rehydration and make a rehydration hang on an event-store outage. Messages the server
 * sends on its own meanwhile (notifications) are not synthetic and are stored as usual.
 */
export function isSyntheticMessage(message: { [key: string]: unknown }): boolean {
  if (replaying.getStore() !== true) return false;
  if (isPrimingEvent(message)) return true;
  return 'id' in message && SYNTHETIC_IDS.has(message.id) && ('result' in message || 'error' in message);
}

function syntheticPost(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(SYNTHETIC_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Sends one synthetic request and drains the answer; returns its HTTP status. */
async function replay(
  transport: ReplayableTransport,
  request: Request,
): Promise<{ status: number; text: string }> {
  // Everything the SDK starts for this request (priming, the answer) runs in this context.
  const response = await replaying.run(true, () => transport.handleRequest(request));
  return { status: response.status, text: await response.text() };
}

/**
 * Brings a fresh transport (whose `sessionIdGenerator` returns `record.id`, already connected to
 * a fresh server) to the state the session had: initialized, with the client's capabilities,
 * client info and log level. Throws if the SDK did not accept the replay.
 */
export async function rehydrateSession(transport: ReplayableTransport, record: SessionRecord): Promise<void> {
  const init = await replay(
    transport,
    syntheticPost({
      jsonrpc: '2.0',
      id: INITIALIZE_ID,
      method: 'initialize',
      params: {
        protocolVersion: record.protocolVersion,
        capabilities: record.clientCapabilities,
        clientInfo: record.clientInfo,
      },
    }),
  );
  if (init.status !== 200 || transport.sessionId !== record.id) {
    throw new Error(`SDK refused the replayed initialize (HTTP ${init.status}): ${init.text.slice(0, 200)}`);
  }
  if (record.logLevel !== null) await applyLogLevel(transport, record);
}

/**
 * Applies the record's log level to a live session (after another process changed it), through a
 * replayed `logging/setLevel`.
 */
export async function applyLogLevel(
  transport: ReplayableTransport,
  record: Pick<SessionRecord, 'id' | 'protocolVersion' | 'logLevel'>,
): Promise<void> {
  if (record.logLevel === null) return;
  await replay(
    transport,
    syntheticPost(
      {
        jsonrpc: '2.0',
        id: SET_LEVEL_ID,
        method: 'logging/setLevel',
        params: { level: record.logLevel },
      },
      { 'mcp-session-id': record.id, 'mcp-protocol-version': record.protocolVersion },
    ),
  );
}
