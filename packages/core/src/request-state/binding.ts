import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The part of a request's context a `requestState` is bound to. SDK v2's `ServerContext` (what a
 * handler and `ServerOptions.requestState.verify` receive) has this shape; core declares it itself
 * so that its main entry needs no SDK.
 */
export interface RequestStateContext {
  readonly mcpReq: {
    /** The JSON-RPC method of the request (`tools/call`, `prompts/get`, `resources/read`). */
    readonly method: string;
  };
  readonly http?:
    | {
        /** The validated access token (`requireBearerAuth`, or `authInfo` given to `handler.fetch`). */
        readonly authInfo?:
          | { readonly clientId?: string; readonly extra?: Record<string, unknown> | undefined }
          | undefined;
        /** The HTTP request: its `Mcp-Name` header names the tool, prompt or resource (2026-07-28). */
        readonly req?: { readonly headers: { get(name: string): string | null } } | undefined;
      }
    | undefined;
}

/**
 * The default principal of a request: `sub:<extra.sub>` when the access token's `AuthInfo` carries
 * a string `extra.sub` (the JWT subject: the user), else `client:<clientId>` (the OAuth client:
 * every user of one client shares it), else null (no authentication: the state is bound to "no
 * principal", so an authenticated caller cannot use it, and the reverse).
 *
 * @example
 * ```ts
 * defaultRequestStatePrincipal({ mcpReq: { method: 'tools/call' }, http: { authInfo: { clientId: 'app', extra: { sub: 'u1' } } } });
 * // 'sub:u1'
 * ```
 */
export function defaultRequestStatePrincipal(ctx: RequestStateContext): string | null {
  const auth = ctx.http?.authInfo;
  if (!auth) return null;
  const sub = auth.extra?.sub;
  if (typeof sub === 'string' && sub !== '') return `sub:${sub}`;
  if (typeof auth.clientId === 'string' && auth.clientId !== '') return `client:${auth.clientId}`;
  return null;
}

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/**
 * The name a 2026-07-28 request names in its `Mcp-Name` header (the tool of `tools/call`, the
 * prompt of `prompts/get`, the URI of `resources/read`), decoded from its `=?base64?…?=` form; null
 * when the request has no such header (another method, stdio, a 2025 session). SDK v2's
 * `createMcpHandler` refuses a request whose header disagrees with its body before any handler or
 * `verify` runs, so the header is the body's value.
 */
export function requestName(ctx: RequestStateContext): string | null {
  const header = ctx.http?.req?.headers.get('mcp-name');
  if (header === null || header === undefined) return null;
  const value = header.replace(/^[ \t]+|[ \t]+$/g, '');
  const encoded = BASE64_SENTINEL.exec(value);
  return encoded ? Buffer.from(encoded[1]!, 'base64').toString('utf8') : value;
}

/**
 * The default request binding: the method and the name it acts on, so a state minted for one tool
 * (prompt, resource) is refused on another.
 */
export function defaultRequestBinding(ctx: RequestStateContext): string {
  return JSON.stringify([ctx.mcpReq.method, requestName(ctx)]);
}

/** A domain-separated SHA-256 digest of a binding value (what the sealed state holds). */
export function bindingDigest(label: 'principal' | 'request', value: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify(['mcp-session-store/request-state', label, value]))
    .digest('base64url');
}

/** Compares two digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
