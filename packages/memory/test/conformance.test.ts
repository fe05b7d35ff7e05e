// The five shared suites under jest, through the same factory module the CLI uses.
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'memory: SessionStore conformance' });
stateHandleSuite({ describe, it }, factory, { name: 'memory: state handles' });
eventStoreSuite({ describe, it }, factory, { name: 'memory: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'memory: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'memory: ClaimStore conformance' });
