// The original proposal's usage snippet (upstream PR #1193), with only its import lines changed.
// Run: REDIS_URL=redis://127.0.0.1:6379 node examples/proposal-snippet.mjs
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@mcp-session-store/core/router';
import { RedisSessionStore } from '@mcp-session-store/redis';
import Redis from 'ioredis';

// Create Redis client
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

// Create session store with 1-hour TTL
const sessionStore = new RedisSessionStore({
  redis,
  keyPrefix: 'mcp:session:',
  ttlSeconds: 3600,
});

// Create transport with external session storage
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => randomUUID(),
  sessionStorageMode: 'external', // ← Explicitly enable external storage
  sessionStore, // ← Required when mode is 'external'
});

// Check mode at runtime
console.log(transport.sessionStorageMode); // 'external'
console.log(transport.isUsingExternalSessionStore); // true

redis.disconnect();
