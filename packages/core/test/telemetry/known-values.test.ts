// Client-chosen values become metric attributes and span names only if MCP defines them.
import { knownMethod, knownProtocolVersion, OTHER } from '../../src/telemetry/known-values.js';

test("MCP's own methods and revisions are kept; anything a client makes up is _OTHER", () => {
  expect(knownMethod('tools/call')).toBe('tools/call');
  expect(knownMethod('subscriptions/listen')).toBe('subscriptions/listen');
  expect(knownMethod('tools/call2')).toBe(OTHER);
  expect(knownMethod('constructor')).toBe(OTHER);
  expect(knownProtocolVersion('2025-11-25')).toBe('2025-11-25');
  expect(knownProtocolVersion('2026-07-28')).toBe('2026-07-28');
  expect(knownProtocolVersion('2099-01-01')).toBe(OTHER);
  expect(OTHER).toBe('_OTHER');
});
