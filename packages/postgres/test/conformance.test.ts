// The five shared suites against the PostgreSQL service (DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres), one throwaway schema per test namespace.
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'postgres: SessionStore conformance' });
stateHandleSuite({ describe, it }, factory, { name: 'postgres: state handles' });
eventStoreSuite({ describe, it }, factory, { name: 'postgres: EventStore conformance' });
messageBusSuite({ describe, it }, factory, { name: 'postgres: MessageBus conformance' });
claimStoreSuite({ describe, it }, factory, { name: 'postgres: ClaimStore conformance' });
