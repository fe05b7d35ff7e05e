/**
 * JSON-RPC as the router sees it. Its own types, not an SDK's: the routing is written once for
 * both SDK majors, whose message types are the same wire shapes under different packages.
 */

/** A JSON-RPC id as it travels on the wire. */
export type RequestId = string | number;

type Obj = Record<string, unknown>;

/** One JSON-RPC 2.0 message: a request, a notification, a result or an error. */
export type JSONRPCMessage =
  | { jsonrpc: '2.0'; id: RequestId; method: string; params?: Obj }
  | { jsonrpc: '2.0'; method: string; params?: Obj }
  | { jsonrpc: '2.0'; id: RequestId; result: Obj }
  | { jsonrpc: '2.0'; id?: RequestId; error: { code: number; message: string; data?: unknown } };

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null;

/** A request: has a method and an id. */
export function isRequest(message: unknown): message is Obj & { method: string; id: RequestId } {
  return isObject(message) && typeof message.method === 'string' && 'id' in message;
}

/** A notification: has a method, no id. */
export function isNotification(message: unknown): message is Obj & { method: string; params?: Obj } {
  return isObject(message) && typeof message.method === 'string' && !('id' in message);
}

/** A response (result or error): has an id, no method. */
export function isResponse(message: unknown): message is Obj & { id: RequestId } {
  return (
    isObject(message) &&
    !('method' in message) &&
    'id' in message &&
    ('result' in message || 'error' in message)
  );
}

/** The messages of a POST body (a single message or a batch), or null if it is not JSON-RPC shaped. */
export function messagesOf(body: unknown): JSONRPCMessage[] | null {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || !list.every(isObject)) return null;
  return list as JSONRPCMessage[];
}

/** The initialize request of a body, if it holds one. */
export function initializeRequestOf(
  messages: JSONRPCMessage[],
):
  | (Obj & { id: RequestId; params: { protocolVersion: string; capabilities?: Obj; clientInfo: Obj } })
  | undefined {
  return messages.find(
    (m) => isRequest(m) && m.method === 'initialize' && isObject((m as Obj).params),
  ) as never;
}
