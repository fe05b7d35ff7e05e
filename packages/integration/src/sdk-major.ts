// The SDK majors the router tests run on. Each test file takes its cases once and runs them on
// both (`describe.each(SDK_MAJORS)`): the routing is shared, so is what proves it.
import {
  createMcpSessionRouter,
  type McpSessionRouter,
  type SessionRouterOptions,
} from '@mcp-session-store/core/router';
import {
  createMcpDualEraHandler,
  createMcpSessionHandler,
  type McpDualEraHandler,
} from '@mcp-session-store/core/v2';
import { WebStandardStreamableHTTPServerTransport as TransportV1 } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { WebStandardStreamableHTTPServerTransport as TransportV2 } from '@modelcontextprotocol/server';
import { createTestServer } from './test-server.js';
import { createTestServerV2 } from './test-server-v2.js';

/** `1`: `@modelcontextprotocol/sdk` 1.x; `2`: `@modelcontextprotocol/server` 2.x (SDK v2). */
export type SdkMajor = 1 | 2;

/** Every major the router supports, for `describe.each`. */
export const SDK_MAJORS: readonly SdkMajor[] = [1, 2];

/** `SDK_MAJOR=1|2` picks one (a pod process is told which through its environment). */
export function sdkMajorFromEnv(env: NodeJS.ProcessEnv = process.env): SdkMajor {
  const value = env.SDK_MAJOR ?? '1';
  if (value !== '1' && value !== '2') throw new Error(`SDK_MAJOR must be 1 or 2, not '${value}'`);
  return Number(value) as SdkMajor;
}

/** A router serving the test server of `pod` on SDK major `sdk`: the same options on either. */
export function createTestRouter(
  sdk: SdkMajor,
  pod: string,
  options: SessionRouterOptions,
): McpSessionRouter {
  return sdk === 1
    ? createMcpSessionRouter({ ...options, createServer: (session) => createTestServer(pod, session) })
    : createMcpSessionHandler((ctx) => createTestServerV2(pod, ctx), options);
}

/**
 * Both protocol eras on one endpoint (SDK v2's `createMcpDualEraHandler`), serving the v2 test
 * server to 2025 sessions and to 2026-07-28 requests alike.
 */
export function createDualEraTestHandler(pod: string, options: SessionRouterOptions): McpDualEraHandler {
  return createMcpDualEraHandler((ctx) => createTestServerV2(pod, ctx), options);
}

/**
 * What the SDK of major `sdk` answers `request` with on a session-less transport of its own (no
 * router): the reference for requests the router passes through unchanged.
 */
export async function answerWithoutRouter(sdk: SdkMajor, request: Request): Promise<Response> {
  const session = { sessionId: null, principal: null, record: undefined, rehydrated: false };
  if (sdk === 1) {
    const server = createTestServer('sdk', session);
    const transport = new TransportV1({});
    await server.connect(transport);
    return settled(await transport.handleRequest(request), () => server.close());
  }
  const server = createTestServerV2('sdk', { ...session, era: 'modern' });
  const transport = new TransportV2({});
  await server.connect(transport);
  return settled(await transport.handleRequest(request), () => server.close());
}

/** The response, read whole, with the server closed after. */
async function settled(response: Response, close: () => Promise<void>): Promise<Response> {
  const body = await response.text();
  await close();
  return new Response(body, { status: response.status, headers: response.headers });
}
