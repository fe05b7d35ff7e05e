/**
 * Knowing when a streamed answer is over: a session's in-flight count (drain, LRU, deletion) must
 * hold until the client got the whole body, not only until the `Response` object exists.
 */

/**
 * Where the node:http path takes over the end-of-body callback: it writes the body itself and
 * calls `done` when the last byte left (or the client went away), so the response needs no wrapper
 * stream, which cost a promise per chunk and kept answers from leaving in one write.
 */
export interface BodyDoneSlot {
  done?: (() => void) | undefined;
}

/** Internal field of the options `fetch` receives from the router's own node:http path. */
export const BODY_DONE_SLOT: unique symbol = Symbol('mcp-session-store.bodyDoneSlot');

/** Options that may carry a {@link BodyDoneSlot}. */
export interface WithBodyDoneSlot {
  [BODY_DONE_SLOT]?: BodyDoneSlot | undefined;
}

/**
 * Runs `done` once the body of `response` has ended or was cancelled: through `slot` when the
 * caller writes the body itself, otherwise by wrapping the body (for `fetch` callers).
 */
export function onBodyDone(response: Response, done: () => void, slot?: BodyDoneSlot): Response {
  if (!response.body) {
    done();
    return response;
  }
  if (slot) {
    slot.done = done;
    return response;
  }
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          controller.close();
          finish();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        finish();
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
