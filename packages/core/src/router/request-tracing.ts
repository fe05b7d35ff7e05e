/**
 * Handing a request's span between the router's entry points, and ending it when the answer is
 * complete: a streamed answer's span lasts until its last byte, a stream that stays open (a GET
 * stream, a listen stream) ends its span once set up (the stream's life is a gauge, not a span).
 */
import type { RequestTrace } from '../telemetry/telemetry.js';
import { type BodyDoneSlot, onBodyDone } from './body-done.js';

/**
 * Internal field of `fetch` options: a span the caller (the dual-era handler) started and ends,
 * or null when the caller decided the request is not traced (no second `startSpan`).
 */
export const REQUEST_TRACE_SLOT: unique symbol = Symbol('mcp-session-store.requestTrace');

/** Options that may carry a {@link REQUEST_TRACE_SLOT}. */
export interface WithRequestTrace {
  [REQUEST_TRACE_SLOT]?: RequestTrace | null | undefined;
}

/**
 * Ends `trace` with `response`'s status once its SSE body is done (through `slot` when the node:http
 * writer takes the end-of-body callback, else by wrapping the body), or now if `now` or the
 * answer is not a stream.
 */
export function endTraceWithResponse(
  trace: RequestTrace,
  response: Response,
  slot: BodyDoneSlot | undefined,
  now: boolean,
): Response {
  const end = () => trace.end(response.status);
  // Only an SSE body is still being written; any other answer is complete already (and a caller
  // that never reads it, say a 503's, must not leave the span open).
  if (now || !response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    end();
    return response;
  }
  if (slot) {
    const inner = slot.done;
    slot.done = () => {
      inner?.();
      end();
    };
    return response;
  }
  return onBodyDone(response, end);
}
