import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import type { BodyDoneSlot } from './body-done.js';
import { jsonRpcError } from './http-responses.js';
import { nodeRequest } from './node-request.js';

/** Thrown when a body exceeds the limit: answered with 413. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a request body up to `maxBytes`. With listeners rather than `for await`: an async iterator
 * costs a promise per chunk, on every request. Over the limit it stops buffering and discards the
 * rest as it comes; the 413 then closes the connection (see `serveNodeRequest`), which bounds it.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // Already read by someone else (a framework that did not hand the body over): nothing to read.
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The error listener stays: a late 'error' with no listener would crash the process.
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.resume();
      reject(new BodyTooLargeError(`request body over ${maxBytes} bytes`));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => onError(new Error('request closed before its body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A converted request, and its JSON body when it was parsed here. */
export interface ConvertedRequest {
  request: Request;
  /** The parsed body: undefined when there is none, it was parsed upstream, or it is not valid JSON. */
  parsedBody: unknown;
}

/**
 * A web `Request` for a node:http request. With `bodyAlreadyParsed` (Express/Fastify parsed it),
 * the body is not read again. A JSON body is parsed here, once, and the `Request` carries none:
 * building a body stream only for the handler to read it back costs more than the parse. A body
 * that is not JSON stays on the `Request`, so the handler answers it as it always would.
 */
export async function toWebRequest(
  req: IncomingMessage,
  bodyAlreadyParsed: boolean,
  maxBytes: number,
): Promise<ConvertedRequest> {
  const host = req.headers.host ?? 'localhost';
  // Serialized as a `Request` would (and a Host the URL parser refuses fails here, as before).
  const url = new URL(req.url ?? '/', `http://${host}`).href;
  const method = req.method ?? 'GET';
  const hasBody = !bodyAlreadyParsed && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readBody(req, maxBytes) : undefined;
  if (body && body.length > 0) {
    try {
      const parsedBody: unknown = JSON.parse(body.toString('utf8'));
      return { request: nodeRequest(req, url, undefined), parsedBody };
    } catch {
      return { request: nodeRequest(req, url, body), parsedBody: undefined };
    }
  }
  return { request: nodeRequest(req, url, undefined), parsedBody: undefined };
}

/**
 * Resolves to the next chunk if the stream already has one, or to undefined after a few microtask
 * turns. A few, not one: a read promise of another realm (a stream made in a vm context, or by a
 * test runner's sandbox) takes two more turns to settle through `Promise.race`.
 */
function readIfReady(
  pending: Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
  const notYet = Promise.resolve()
    .then(() => undefined)
    .then(() => undefined)
    .then(() => undefined);
  return Promise.race([pending, notYet]);
}

/**
 * Writes a web `Response` to a node:http response, streaming its body with backpressure, and calls
 * `done` once, when the body has ended, failed or been cancelled (or at once without a body).
 *
 * Why not `Readable.fromWeb(...).pipe(res)`: an MCP answer is usually one short SSE event and the
 * end of the stream, already queued when the response is returned. Reading what is ready first lets
 * the head, the event and the end leave in one write with a `Content-Length`, as the SDK's own node
 * transport does, instead of a flushed head, a chunk and a chunked-encoding terminator.
 */
export async function writeWebResponse(
  response: Response,
  res: ServerResponse,
  done?: () => void,
): Promise<void> {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done?.();
  };
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!response.body) {
    res.writeHead(response.status, headers);
    res.end();
    finish();
    return;
  }
  const reader = response.body.getReader();
  const ready: Uint8Array[] = [];
  let ended = false;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  try {
    // A few reads: enough for "one event, then the end". The SDK closes the stream a few ticks
    // after its last event, so once one chunk came, the end gets one turn of the event loop.
    // A stream that keeps going (SSE GET streams, long tool calls) then gets its head and is
    // streamed.
    let waited = false;
    for (let i = 0; i < 3 && !ended; i++) {
      pending ??= reader.read();
      let chunk = await readIfReady(pending);
      if (!chunk && ready.length > 0 && !waited) {
        waited = true;
        await new Promise((resolve) => setImmediate(resolve));
        chunk = await readIfReady(pending);
      }
      if (!chunk) break;
      pending = undefined;
      if (chunk.done) ended = true;
      else ready.push(chunk.value);
    }
  } catch (error) {
    // The body failed before anything was written: the client must not wait for the rest.
    finish();
    res.destroy(error as Error);
    return;
  }
  if (ended && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    let length = 0;
    for (const chunk of ready) length += chunk.byteLength;
    headers['content-length'] = String(length);
  }
  res.writeHead(response.status, headers);
  if (ended) {
    res.end(ready.length === 1 ? ready[0] : Buffer.concat(ready));
    finish();
    return;
  }
  if (ready.length === 0) res.flushHeaders();
  else for (const chunk of ready) res.write(chunk);
  await streamRest(reader, res, pending, finish);
}

/** Streams the rest of `reader` to `res` with backpressure; the client going away cancels it. */
function streamRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
  pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined,
  finish: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let over = false;
    const stop = (error?: unknown) => {
      if (over) return;
      over = true;
      res.off('close', onClose);
      // A body that fails mid-stream must not leave the client waiting for the rest.
      if (error !== undefined) res.destroy(error instanceof Error ? error : new Error(String(error)));
      finish();
      resolve();
    };
    // The client going away cancels the web stream (which ends SSE streams and their followers).
    const onClose = () => {
      if (over) return;
      reader.cancel().catch(() => {});
      stop();
    };
    res.on('close', onClose);
    const fail = (error: unknown) => stop(error ?? new Error('response body failed'));
    const flow = (chunk: ReadableStreamReadResult<Uint8Array>) => {
      if (over) return;
      if (chunk.done) {
        res.end();
        stop();
      } else if (res.write(chunk.value)) reader.read().then(flow, fail);
      else res.once('drain', () => reader.read().then(flow, fail));
    };
    (pending ?? reader.read()).then(flow, fail);
  });
}

/**
 * Serves a node:http request through a web-standard handler: converts the request, answers 413
 * for an oversized body and 500 (reported to `onError`) when the handler throws, and streams the
 * answer back. A handler that puts an end-of-body callback in `slot` gets it called once the body
 * was written (or abandoned), whatever the outcome.
 */
export async function serveNodeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { parsedBody: unknown; maxBodyBytes: number; onError?: ((error: unknown) => void) | undefined },
  handle: (request: Request, parsedBody: unknown, slot: BodyDoneSlot) => Promise<Response>,
): Promise<void> {
  let response: Response;
  const slot: BodyDoneSlot = {};
  try {
    const converted = await toWebRequest(req, options.parsedBody !== undefined, options.maxBodyBytes);
    response = await handle(converted.request, options.parsedBody ?? converted.parsedBody, slot);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      response = jsonRpcError(413, -32000, 'Request body too large');
      // The rest of the body is not read: the connection cannot carry another request.
      res.setHeader('connection', 'close');
    } else {
      options.onError?.(error);
      response = jsonRpcError(500, -32603, 'Internal error');
    }
  }
  await writeWebResponse(response, res, slot.done);
}
