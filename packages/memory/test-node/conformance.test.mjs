// The four shared suites under node:test (no jest), through the example factory module.
import { describe, it } from 'node:test';
import {
  claimStoreSuite,
  eventStoreSuite,
  messageBusSuite,
  sessionStoreSuite,
  stateHandleSuite,
} from '@mcp-session-store/core/conformance';
import factory from '../examples/conformance-factory.mjs';

sessionStoreSuite({ describe, it }, factory, { name: 'memory: SessionStore conformance (node:test)' });
stateHandleSuite({ describe, it }, factory, { name: 'memory: state handles (node:test)' });
eventStoreSuite({ describe, it }, factory, { name: 'memory: EventStore conformance (node:test)' });
messageBusSuite({ describe, it }, factory, { name: 'memory: MessageBus conformance (node:test)' });
claimStoreSuite({ describe, it }, factory, { name: 'memory: ClaimStore conformance (node:test)' });
