import type { JSONRPCMessage } from './jsonrpc.js';

const encoder = new TextEncoder();

/**
 * A server-sent-events response the router writes itself (the session's GET stream), so it can be
 * fed from the shared event store whichever process produced the events.
 */
export class SseStream {
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  private readonly keepAlive: NodeJS.Timeout | undefined;
  /** Called once when the stream ends, whoever ended it. */
  onclose: (() => void) | undefined;
  /**
   * The `Last-Event-ID` a resumed stream started from, until an event with an id goes out: a
   * graceful close restates it (see `close`).
   */
  resumedFrom: string | undefined;

  constructor(headers: Record<string, string>, keepAliveMs: number) {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.finish(),
    });
    this.response = new Response(body, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        ...headers,
      },
    });
    if (keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), keepAliveMs);
      this.keepAlive.unref();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes one event; false if the stream is gone. */
  send(message: JSONRPCMessage | Record<string, never>, eventId?: string): boolean {
    if (eventId !== undefined) this.resumedFrom = undefined;
    const id = eventId === undefined ? '' : `id: ${eventId}\n`;
    return this.write(`${id}event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Writes an event with an id and no data: a priming event the client can resume from. */
  prime(eventId: string, retryMs?: number): boolean {
    this.resumedFrom = undefined;
    const retry = retryMs === undefined ? '' : `retry: ${retryMs}\n`;
    return this.write(`id: ${eventId}\n${retry}data: \n\n`);
  }

  /**
   * Ends the stream, optionally telling the client how soon to reconnect. A resumed stream that
   * carried no event restates its resume point with the hint: the SDK clients forget it when a
   * stream ends before any event, and would reconnect without one, missing what was stored since.
   */
  close(retryMs?: number): void {
    if (this.closed) return;
    if (retryMs !== undefined) {
      if (this.resumedFrom !== undefined) this.prime(this.resumedFrom, retryMs);
      else this.write(`retry: ${retryMs}\n\n`);
    }
    try {
      this.controller.close();
    } catch {
      // already closed by the other side
    }
    this.finish();
  }

  private write(text: string): boolean {
    if (this.closed) return false;
    try {
      this.controller.enqueue(encoder.encode(text));
      return true;
    } catch {
      this.finish();
      return false;
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.onclose?.();
  }
}
