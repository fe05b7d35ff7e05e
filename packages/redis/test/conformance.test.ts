// The five shared suites against the Redis service (REDIS_URL, default redis://127.0.0.1:6379).
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'redis: SessionStore conformance' });
stateHandleSuite({ describe, it }, factory, { name: 'redis: state handles' });
eventStoreSuite({ describe, it }, factory, { name: 'redis: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'redis: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'redis: ClaimStore conformance' });
