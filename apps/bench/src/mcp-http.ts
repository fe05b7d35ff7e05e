// A minimal MCP client over raw HTTP (fetch), cheaper per request than the SDK client, so the load
// generator costs little next to the servers it measures.
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

/** Initializes a session (initialize + notifications/initialized); returns its id. */
export async function openSession(endpoint: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  });
  await res.text();
  const sessionId = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !sessionId) throw new Error(`initialize failed: HTTP ${res.status}`);
  const ack = await fetch(endpoint, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await ack.text();
  return sessionId;
}

/** One tools/call of `echo`; throws unless the result came back. */
export async function callEcho(endpoint: string, sessionId: string, id: number): Promise<void> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' } },
    }),
  });
  const body = await res.text();
  if (res.status !== 200 || !body.includes('"result"'))
    throw new Error(`tools/call failed: HTTP ${res.status} ${body.slice(0, 200)}`);
}
