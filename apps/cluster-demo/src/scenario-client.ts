// What the demo's scenarios drive: one MCP client session through the balancer, on either SDK
// major's real client (scenario-client-v1.ts, scenario-client-v2.ts), answering elicitation and
// sampling the same way, and recording every HTTP exchange with the pod that answered it.
import { POD_HEADER } from './pod-header.js';

/** What the demo's client answers to an elicitation and to a sampling request. */
export const CLIENT_ANSWERS = {
  elicitation: { action: 'accept' as const, content: { name: 'Ada' } },
  llmText: 'hello from the client LLM',
  model: 'demo-model',
};

/** One HTTP request the client's transport made, and who answered it. */
export interface Exchange {
  method: string;
  /** The JSON-RPC messages of a POST body (empty for GET and DELETE). */
  messages: Array<Record<string, unknown>>;
  status: number;
  /** The pod that answered (its `x-demo-pod` header), or null if none did. */
  pod: string | null;
  /** Settles once `status` and `pod` are set (or the request failed). */
  answered: Promise<void>;
  /** The request's headers as sent (to send the exact request again). */
  headers: Headers;
  /** The request's body as sent. */
  body: string | undefined;
}

/** One client session, as the scenarios use it. */
export interface ScenarioClient {
  /** Initializes through the balancer; resolves to the session id. */
  connect(): Promise<string>;
  /** tools/call; `onprogress` receives the progress values the call reports. */
  callTool(
    name: string,
    args?: Record<string, unknown>,
    onprogress?: (progress: number) => void,
  ): Promise<unknown>;
  subscribeResource(uri: string): Promise<void>;
  unsubscribeResource(uri: string): Promise<void>;
  /** DELETE of the session. */
  terminateSession(): Promise<void>;
  close(): Promise<void>;
  /** The URIs of the resource updates received so far. */
  readonly updates: readonly string[];
  /** The data of the log messages received so far. */
  readonly logs: readonly string[];
  /** How many `notifications/tools/list_changed` the session received (on its GET stream). */
  readonly toolListChanges: number;
  /** Every HTTP exchange so far, in the order the requests were made. */
  readonly exchanges: readonly Exchange[];
}

function messagesOfBody(body: unknown): Array<Record<string, unknown>> {
  if (typeof body !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).filter(
      (m): m is Record<string, unknown> => typeof m === 'object' && m !== null,
    );
  } catch {
    return [];
  }
}

/** A `fetch` for the SDK's client transport that appends each exchange to `exchanges`. */
export function recordingFetch(exchanges: Exchange[]): typeof fetch {
  return async (input, init) => {
    const sending = fetch(input, init);
    const exchange: Exchange = {
      method: init?.method ?? 'GET',
      messages: messagesOfBody(init?.body),
      status: 0,
      pod: null,
    } as Exchange;
    // Not enumerable: an exchange compares and prints as the data it records.
    Object.defineProperty(exchange, 'headers', { enumerable: false, value: new Headers(init?.headers) });
    Object.defineProperty(exchange, 'body', {
      enumerable: false,
      value: typeof init?.body === 'string' ? init.body : undefined,
    });
    Object.defineProperty(exchange, 'answered', {
      enumerable: false,
      value: sending.then(
        (response) => {
          exchange.status = response.status;
          exchange.pod = response.headers.get(POD_HEADER);
        },
        () => {},
      ),
    });
    // Recorded when sent, so the order is the order the balancer saw the requests in.
    exchanges.push(exchange);
    await exchange.answered;
    return sending;
  };
}

/** True for a JSON-RPC response (a client's answer to a server's request). */
export const isResponseMessage = (m: Record<string, unknown>) =>
  'id' in m && ('result' in m || 'error' in m) && !('method' in m);
