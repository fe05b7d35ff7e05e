import { isNotification, isRequest, isResponse, type JSONRPCMessage, type RequestId } from './jsonrpc.js';

// Every rehydrated SDK `Protocol` numbers its outgoing requests from 0, so two processes serving
// one session would hand the client the same ids. On the wire they become
// `mcpss.<processId>.<n>`: unique across processes, and they name the process awaiting the answer.
const PREFIX = 'mcpss.';
const PROCESS_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface PendingRequest {
  sessionId: string;
  originalId: RequestId;
  /** The progress token the SDK put in the request, if any (the same number as the id). */
  originalToken: RequestId | undefined;
  createdAt: number;
  /** The asking request's span context (ids only), for the span of an answer forwarded here. */
  traceContext: unknown;
}

/** Which process a wire id belongs to, or undefined if it is not one of ours. */
export function ownerOfWireId(id: unknown): string | undefined {
  if (typeof id !== 'string' || !id.startsWith(PREFIX)) return undefined;
  const end = id.lastIndexOf('.');
  const owner = end > PREFIX.length ? id.slice(PREFIX.length, end) : undefined;
  // The id comes from the client: only a well-formed process id may become a bus channel.
  return owner !== undefined && PROCESS_ID.test(owner) ? owner : undefined;
}

/**
 * The outgoing server->client requests of this process, by wire id: rewrites ids (and progress
 * tokens) on the way out and maps the client's answers back on the way in.
 */
export class WireIdRegistry {
  private next = 0;
  private readonly pending = new Map<string, PendingRequest>();

  constructor(
    private readonly processId: string,
    /** Entries older than this are dropped (the SDK's own request timeout is 60 s by default). */
    private readonly maxAgeMs = 10 * 60_000,
  ) {}

  /** `message` as it should go on the wire: a server->client request gets a wire id. */
  outgoing(sessionId: string, message: JSONRPCMessage, traceContext?: unknown): JSONRPCMessage {
    if (!isRequest(message)) return message;
    this.sweep();
    const wireId = `${PREFIX}${this.processId}.${this.next++}`;
    const meta = (message.params as { _meta?: { progressToken?: RequestId } } | undefined)?._meta;
    const originalToken = meta?.progressToken;
    this.pending.set(wireId, {
      sessionId,
      originalId: message.id,
      originalToken,
      createdAt: Date.now(),
      traceContext,
    });
    const rewritten = { ...message, id: wireId } as Record<string, unknown>;
    if (originalToken !== undefined) {
      const params = message.params as Record<string, unknown>;
      rewritten.params = { ...params, _meta: { ...meta, progressToken: wireId } };
    }
    return rewritten as JSONRPCMessage;
  }

  /**
   * `message` as the local SDK expects it: a client answer (or a progress notification) for one
   * of this process's requests gets its original id back. Undefined if the wire id is unknown or
   * belongs to another session (never delivered across sessions).
   */
  incoming(sessionId: string, message: JSONRPCMessage): JSONRPCMessage | undefined {
    if (isResponse(message)) {
      const entry = this.pending.get(String(message.id));
      if (!entry || entry.sessionId !== sessionId) return undefined;
      this.pending.delete(String(message.id));
      return { ...message, id: entry.originalId } as JSONRPCMessage;
    }
    if (isNotification(message) && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      const entry = this.pending.get(String(token));
      if (!entry || entry.sessionId !== sessionId || entry.originalToken === undefined) return undefined;
      return {
        ...message,
        params: { ...message.params, progressToken: entry.originalToken },
      } as JSONRPCMessage;
    }
    return message;
  }

  /** The trace context kept with an outgoing request (see `outgoing`), if any. */
  contextOf(wireId: string): unknown {
    return this.pending.get(wireId)?.traceContext;
  }

  /** Forgets every request of a session (it was closed). */
  forgetSession(sessionId: string): void {
    for (const [id, entry] of this.pending) if (entry.sessionId === sessionId) this.pending.delete(id);
  }

  private sweep(): void {
    const oldest = Date.now() - this.maxAgeMs;
    for (const [id, entry] of this.pending) {
      if (entry.createdAt >= oldest) break; // insertion order: the rest are newer
      this.pending.delete(id);
    }
  }
}

/** The wire id a client message refers to: a response's id or a progress notification's token. */
export function wireIdOf(message: JSONRPCMessage): string | undefined {
  if (isResponse(message)) return ownerOfWireId(message.id) ? String(message.id) : undefined;
  if (isNotification(message) && message.method === 'notifications/progress') {
    const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
    return ownerOfWireId(token) ? String(token) : undefined;
  }
  return undefined;
}
