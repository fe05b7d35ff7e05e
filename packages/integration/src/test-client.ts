// The SDK's real client of either major behind one small interface, so a router test is written
// once and run with the 1.x `Client` and with v2's `@modelcontextprotocol/client`.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { SdkMajor } from './sdk-major.js';

/** What every test client answers when a server asks (elicitation, sampling). */
export const ELICITED = { action: 'accept' as const, content: { name: 'Ada' } };
export const SAMPLED = {
  role: 'assistant' as const,
  content: { type: 'text' as const, text: 'hi from the client LLM' },
  model: 'test-model',
};

/** The client capabilities a test client declares unless told otherwise. */
export const FULL_CAPABILITIES = { elicitation: {}, sampling: {}, roots: { listChanged: true } };

export interface TestClientOptions {
  /** The principal (`x-user` header); null sends none. Default `'alice'`. */
  user?: string | null;
  /** Default `{ name: 'integration-client', version: '1.2.3' }`. */
  clientInfo?: { name: string; version: string };
  /** Default {@link FULL_CAPABILITIES}. */
  capabilities?: Record<string, unknown>;
  /** The `fetch` the transport uses (to watch the requests it makes). Default: the global one. */
  fetch?: typeof fetch;
  /** The SDK's `reconnectionOptions` of the transport. */
  reconnection?: {
    initialReconnectionDelay: number;
    maxReconnectionDelay: number;
    reconnectionDelayGrowFactor: number;
    maxRetries: number;
  };
}

export interface CallOptions {
  onprogress?: (progress: { progress: number; total?: number | undefined }) => void;
  timeout?: number;
  signal?: AbortSignal;
}

/** A tool result as the tests read it. */
export interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  isError?: boolean;
}

/** One connected session of the SDK's real client, of either major. */
export interface TestClient {
  readonly sdk: SdkMajor;
  /** The session id the server assigned. */
  readonly sessionId: string;
  callTool(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<ToolResult>;
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  setLoggingLevel(level: 'debug' | 'info' | 'warning' | 'error'): Promise<void>;
  /** Every `notifications/message` the session receives: its `data`. */
  onLog(handler: (data: unknown) => void): void;
  /** Every `notifications/resources/updated` the session receives: its `uri`. */
  onResourceUpdated(handler: (uri: string) => void): void;
  /** Transport errors (a failed reconnect, a broken stream) as the SDK reports them. */
  onTransportError(handler: (error: Error) => void): void;
  /** DELETE: ends the session for every pod. */
  terminateSession(): Promise<void>;
  /** Closes the client (and its GET stream) without ending the session. */
  close(): Promise<void>;
}

/** The text of a tool result's first content block. */
export const textOf = (result: ToolResult): string => result.content[0]?.text ?? '';

/**
 * Connects the SDK's real client of major `sdk` to `url` (a full MCP endpoint) and initializes a
 * session, answering elicitation with {@link ELICITED} and sampling with {@link SAMPLED} (when its
 * capabilities declare them).
 *
 * @example
 * ```ts
 * const client = await connectTestClient(2, cluster.url);
 * textOf(await client.callTool('whoami')); // 'pod-1'
 * await client.terminateSession();
 * ```
 */
export async function connectTestClient(
  sdk: SdkMajor,
  url: string,
  options: TestClientOptions = {},
): Promise<TestClient> {
  const user = options.user === undefined ? 'alice' : options.user;
  const transportOptions = {
    requestInit: { headers: user === null ? {} : { 'x-user': user } },
    ...(options.reconnection && { reconnectionOptions: options.reconnection }),
    ...(options.fetch && { fetch: options.fetch }),
  };
  const info = options.clientInfo ?? { name: 'integration-client', version: '1.2.3' };
  const capabilities = options.capabilities ?? FULL_CAPABILITIES;
  return sdk === 1
    ? connectV1(url, info, capabilities, transportOptions)
    : connectV2(url, info, capabilities, transportOptions);
}

type TransportOptions = ConstructorParameters<typeof TransportV1>[1] &
  ConstructorParameters<typeof TransportV2>[1];

async function connectV1(
  url: string,
  info: { name: string; version: string },
  capabilities: Record<string, unknown>,
  transportOptions: TransportOptions,
): Promise<TestClient> {
  const client = new ClientV1(info, { capabilities });
  // Only what it declares: the SDK refuses a handler for a capability the client did not declare.
  if (capabilities.elicitation) client.setRequestHandler(ElicitRequestSchema, async () => ELICITED);
  if (capabilities.sampling) client.setRequestHandler(CreateMessageRequestSchema, async () => SAMPLED);
  const transport = new TransportV1(new URL(url), transportOptions);
  await client.connect(transport);
  return {
    sdk: 1,
    sessionId: transport.sessionId!,
    callTool: (name, args, options) =>
      client.callTool({ name, ...(args && { arguments: args }) }, undefined, options) as Promise<ToolResult>,
    listTools: () => client.listTools(),
    setLoggingLevel: async (level) => void (await client.setLoggingLevel(level)),
    onLog: (handler) =>
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => handler(n.params.data)),
    onResourceUpdated: (handler) =>
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => handler(n.params.uri)),
    onTransportError: (handler) => chainOnError(transport, handler),
    terminateSession: () => transport.terminateSession(),
    close: () => client.close(),
  };
}

async function connectV2(
  url: string,
  info: { name: string; version: string },
  capabilities: Record<string, unknown>,
  transportOptions: TransportOptions,
): Promise<TestClient> {
  const client = new ClientV2(info, { capabilities });
  if (capabilities.elicitation) client.setRequestHandler('elicitation/create', async () => ELICITED);
  if (capabilities.sampling) client.setRequestHandler('sampling/createMessage', async () => SAMPLED);
  const transport = new TransportV2(new URL(url), transportOptions);
  await client.connect(transport);
  return {
    sdk: 2,
    sessionId: transport.sessionId!,
    callTool: (name, args, options) =>
      client.callTool({ name, ...(args && { arguments: args }) }, options) as Promise<ToolResult>,
    listTools: () => client.listTools(),
    setLoggingLevel: async (level) => void (await client.setLoggingLevel(level)),
    onLog: (handler) => client.setNotificationHandler('notifications/message', (n) => handler(n.params.data)),
    onResourceUpdated: (handler) =>
      client.setNotificationHandler('notifications/resources/updated', (n) => handler(n.params.uri)),
    onTransportError: (handler) => chainOnError(transport, handler),
    terminateSession: () => transport.terminateSession(),
    close: () => client.close(),
  };
}

/** Adds a handler to a transport's `onerror` without replacing the client's own. */
function chainOnError(
  transport: { onerror?: ((error: Error) => void) | undefined },
  handler: (error: Error) => void,
) {
  const previous = transport.onerror;
  transport.onerror = (error) => {
    previous?.(error);
    handler(error);
  };
}
