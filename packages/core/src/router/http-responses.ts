/** A JSON-RPC error answer with an HTTP status, as the SDK's transport writes them. */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** 404: unknown, expired, deleted or foreign session. The spec's signal to initialize again. */
export const sessionNotFound = (): Response => jsonRpcError(404, -32001, 'Session not found');

/** 400: a request that needs a session came without one, or was malformed. */
export const badRequest = (message: string): Response => jsonRpcError(400, -32000, `Bad Request: ${message}`);

/** 503 with `Retry-After`: the store or bus is unavailable; the client may retry shortly. */
export const serviceUnavailable = (retryAfterSeconds: number): Response =>
  jsonRpcError(503, -32000, 'Service temporarily unavailable: session storage is unreachable', {
    'retry-after': String(retryAfterSeconds),
  });

/** 202: the POST held only responses or notifications, all accepted. */
export const accepted = (): Response => new Response(null, { status: 202 });
