import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { jsonRpcError } from './http-responses.js';

/** Thrown when a body exceeds the limit: answered with 413. */
export class BodyTooLargeError extends Error {}

/** Reads a request body up to `maxBytes`. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError(`request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const method = req.method ?? 'GET';
  const hasBody = !bodyAlreadyParsed && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readBody(req, maxBytes) : undefined;
  if (body && body.length > 0) {
    try {
      const parsedBody: unknown = JSON.parse(body.toString('utf8'));
      return { request: new Request(url, { method, headers }), parsedBody };
    } catch {
      return { request: new Request(url, { method, headers, body }), parsedBody: undefined };
    }
  }
  return { request: new Request(url, { method, headers }), parsedBody: undefined };
}

/** Writes a web `Response` to a node:http response, streaming its body with backpressure. */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  // The client going away cancels the web stream (which ends SSE streams and their followers).
  res.on('close', () => body.destroy());
  await new Promise<void>((resolve) => {
    // A body that fails mid-stream must not leave the client waiting for the rest.
    body.on('error', (error) => {
      res.destroy(error);
      resolve();
    });
    body.on('end', () => {
      res.end();
      resolve();
    });
    body.on('close', () => resolve());
    body.pipe(res, { end: false });
  });
}

/**
 * Serves a node:http request through a web-standard handler: converts the request, answers 413
 * for an oversized body and 500 (reported to `onError`) when the handler throws, and streams the
 * answer back.
 */
export async function serveNodeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { parsedBody: unknown; maxBodyBytes: number; onError?: ((error: unknown) => void) | undefined },
  handle: (request: Request, parsedBody: unknown) => Promise<Response>,
): Promise<void> {
  let response: Response;
  try {
    const converted = await toWebRequest(req, options.parsedBody !== undefined, options.maxBodyBytes);
    response = await handle(converted.request, options.parsedBody ?? converted.parsedBody);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      response = jsonRpcError(413, -32000, 'Request body too large');
    } else {
      options.onError?.(error);
      response = jsonRpcError(500, -32603, 'Internal error');
    }
  }
  await writeWebResponse(response, res);
}
