import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A JSON-RPC id as it travels on the wire. */
export type RequestId = string | number;

type Obj = Record<string, unknown>;

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
