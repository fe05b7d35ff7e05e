// The five shared suites against DynamoDB Local (started by test/support/global-setup.ts).
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'dynamodb: SessionStore conformance' });
stateHandleSuite({ describe, it }, factory, { name: 'dynamodb: state handles' });
eventStoreSuite({ describe, it }, factory, { name: 'dynamodb: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'dynamodb: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'dynamodb: ClaimStore conformance' });
