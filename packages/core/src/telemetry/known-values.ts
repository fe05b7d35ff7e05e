/**
 * What a client chooses (a method name, a protocol version) becomes a metric attribute or a span
 * name only if it is one of the protocol's own: each distinct value is a time series (or a span
 * name a tracing backend indexes), and a client inventing one per request must not create one per
 * request. Anything else is `_OTHER`, the conventions' value for "not a known one"; the span keeps
 * the real value as an attribute.
 */

/** The value recorded for anything not known. */
export const OTHER = '_OTHER';

/** JSON-RPC methods of MCP up to 2026-07-28, both directions. */
const METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'server/discover',
  'subscriptions/listen',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
  'tasks/get',
  'tasks/list',
  'tasks/cancel',
  'tasks/result',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/message',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
  'notifications/elicitation/complete',
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
]);

/** Protocol revisions of MCP up to 2026-07-28. */
const PROTOCOL_VERSIONS: ReadonlySet<string> = new Set([
  '2024-11-05',
  '2025-03-26',
  '2025-06-18',
  '2025-11-25',
  '2026-07-28',
]);

/** `method` if MCP defines it, else {@link OTHER}. */
export function knownMethod(method: string): string {
  return METHODS.has(method) ? method : OTHER;
}

/** `version` if it is an MCP protocol revision, else {@link OTHER}. */
export function knownProtocolVersion(version: string): string {
  return PROTOCOL_VERSIONS.has(version) ? version : OTHER;
}
