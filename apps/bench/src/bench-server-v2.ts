// The SDK v2 twin of bench-server.ts: the same `echo` tool on `@modelcontextprotocol/server`, so the
// v2 variants differ from each other, and from the 1.x ones, by the session handling only.
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

export function createBenchServerV2(): McpServer {
  // listChanged: 2026-07-28 listen streams may subscribe to tool list changes (the notify benchmarks).
  const server = new McpServer(
    { name: 'bench-server', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.registerTool(
    'echo',
    { description: 'Echoes its text', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}
