// Raw Streamable HTTP requests, for tests that control every header and byte (the SDK's Client
// would hide what they check: which pod answers, exactly when a stream breaks, hostile input).

/** The protocol revision the raw requests speak (the last one with sessions). */
export const PROTOCOL_VERSION = '2025-11-25';

/**
 * The headers of a raw MCP request: JSON body, JSON or SSE answer, {@link PROTOCOL_VERSION}, and
 * `x-user: alice` (the principal of the test pods and in-process clusters).
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': id }, body });
 * ```
 */
export const HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': PROTOCOL_VERSION,
  'x-user': 'alice',
};

/**
 * A JSON-RPC request body (a notification when `id` is undefined).
 *
 * @example
 * ```ts
 * const body = rpc(1, 'tools/call', { name: 'whoami' });
 * ```
 */
export function rpc(id: string | number | undefined, method: string, params?: unknown): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    ...(id !== undefined && { id }),
    method,
    ...(params !== undefined && { params }),
  });
}

/** The body of an `initialize` request (id 0, no client capabilities). */
export const INITIALIZE: string = rpc(0, 'initialize', {
  protocolVersion: PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: 'raw', version: '1' },
});

/**
 * Initializes a session with a raw POST and returns its id.
 *
 * @param endpoint - the full MCP URL, e.g. `${pod.url}/mcp`.
 * @param user - the principal (`x-user`) the session belongs to.
 * @throws Error when the answer carries no `Mcp-Session-Id`.
 * @example
 * ```ts
 * const sessionId = await initialize(`${cluster.pods[0].url}/mcp`);
 * ```
 */
export async function initialize(endpoint: string, user = 'alice'): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...HEADERS, 'x-user': user },
    body: INITIALIZE,
  });
  await res.text();
  const id = res.headers.get('mcp-session-id');
  if (!id) throw new Error(`initialize failed: HTTP ${res.status}`);
  return id;
}
