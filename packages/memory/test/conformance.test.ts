// The four shared suites under jest, through the same factory module the CLI uses.
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'memory: SessionStore conformance' });
eventStoreSuite({ describe, it }, factory, { name: 'memory: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'memory: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'memory: ClaimStore conformance' });
