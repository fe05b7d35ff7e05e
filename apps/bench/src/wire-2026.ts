// The 2026-07-28 wire as SDK v2's own client sends it (recorded from `Client` pinned to 2026-07-28):
// no session; every request carries the `_meta` envelope in its body and names its method (and the
// tool) in the Mcp-Method / Mcp-Name headers, which the server checks against the body.

export const MODERN_REVISION = '2026-07-28';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN_REVISION,
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** The headers of a 2026-07-28 request for `method` (and `name`, the tool of a `tools/call`). */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN_REVISION,
    'mcp-method': method,
    ...(name !== undefined && { 'mcp-name': name }),
  };
}

/** The body of a 2026-07-28 `tools/call` of `echo`. */
export function modernEchoBody(id: number): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x' }, _meta: ENVELOPE },
  });
}

/** The body of a `subscriptions/listen` for tool list changes. */
export function listenBody(id: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'subscriptions/listen',
    params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } },
  });
}

/** What a listen stream carries for a tool list change (`data:` of the SSE event). */
export const TOOLS_CHANGED = 'notifications/tools/list_changed';
