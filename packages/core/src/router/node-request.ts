import type { IncomingMessage } from 'node:http';

/**
 * A web `Request` for a node:http request that builds the real `Request` only if something asks
 * for more than its method, URL and headers.
 *
 * Why: the router and both SDKs' transports read only those three on the hot path (the body comes
 * parsed), and an undici `Request` costs a second copy of the headers, an `AbortSignal` and a URL
 * parse per request. It is a `Request` to `instanceof` and to every other property or method
 * (`signal`, `clone()`, `json()`, ...), which the real one then answers. The SDK's own node
 * transport (through `@hono/node-server`) reads requests the same lazy way.
 */
export function nodeRequest(req: IncomingMessage, url: string, body: Buffer | undefined): Request {
  const request = Object.create(LAZY_REQUEST_PROTOTYPE) as LazyRequest;
  request[STATE] = {
    method: req.method ?? 'GET',
    url,
    incoming: req,
    body,
    headers: undefined,
    real: undefined,
  };
  return request as unknown as Request;
}

const STATE = Symbol('nodeRequestState');

interface LazyState {
  readonly method: string;
  readonly url: string;
  readonly incoming: IncomingMessage;
  /** A body that was not JSON: kept for a handler that reads it (and answers it). */
  readonly body: Buffer | undefined;
  headers: Headers | undefined;
  real: Request | undefined;
}

interface LazyRequest {
  [STATE]: LazyState;
}

function headersOf(state: LazyState): Headers {
  if (state.headers) return state.headers;
  const headers = new Headers();
  for (const [name, value] of Object.entries(state.incoming.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  state.headers = headers;
  return headers;
}

function realOf(state: LazyState): Request {
  state.real ??= new Request(state.url, {
    method: state.method,
    headers: headersOf(state),
    ...(state.body && { body: state.body }),
  });
  return state.real;
}

const LAZY_REQUEST_PROTOTYPE: object = (() => {
  const proto = Object.create(Request.prototype) as object;
  const own: PropertyDescriptorMap = {
    method: {
      get(this: LazyRequest) {
        return this[STATE].method;
      },
    },
    url: {
      get(this: LazyRequest) {
        return this[STATE].url;
      },
    },
    headers: {
      get(this: LazyRequest) {
        return headersOf(this[STATE]);
      },
    },
  };
  for (const key of Reflect.ownKeys(Request.prototype)) {
    if (key === 'constructor' || (typeof key === 'string' && key in own)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key);
    if (!descriptor) continue;
    if (typeof descriptor.value === 'function') {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      own[key] = {
        value(this: LazyRequest, ...args: unknown[]) {
          return method.apply(realOf(this[STATE]), args);
        },
      };
    } else if (descriptor.get) {
      const getter = descriptor.get;
      own[key] = {
        get(this: LazyRequest) {
          return getter.call(realOf(this[STATE]));
        },
      };
    }
  }
  Object.defineProperties(proto, own);
  return proto;
})();
