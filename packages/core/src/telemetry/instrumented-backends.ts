/**
 * The router's view of the stores and the bus, with every call in a span and a duration histogram
 * (see `Telemetry.backendCall`). Only what the router calls is wrapped; the application keeps its
 * own, unwrapped instances.
 */
import type { ClaimStore } from '../contract/claim-store.js';
import type { EventStoreFactory, SessionEventStore } from '../contract/event-store.js';
import type { MessageBus } from '../contract/message-bus.js';
import type { SessionStore } from '../contract/session-store.js';
import type { Telemetry } from './telemetry.js';

/** `store` with each call traced, or `store` itself when telemetry is off. */
export function instrumentSessionStore(store: SessionStore, telemetry: Telemetry): SessionStore {
  if (!telemetry.enabled) return store;
  const adapter = store.capabilities.adapter;
  const call = <T>(operation: string, run: () => Promise<T>) =>
    telemetry.backendCall('session_store', adapter, operation, run);
  const list = store.list;
  return {
    get capabilities() {
      return store.capabilities;
    },
    create: (session) => call('create', () => store.create(session)),
    get: (id) => call('get', () => store.get(id)),
    update: (id, patch, options) => call('update', () => store.update(id, patch, options)),
    touch: (id) => call('touch', () => store.touch(id)),
    delete: (id) => call('delete', () => store.delete(id)),
    ...(list && { list: (principal, options) => call('list', () => list.call(store, principal, options)) }),
    close: () => store.close(),
  };
}

/** `factory` with each event-store call traced, or `factory` itself when telemetry is off. */
export function instrumentEventStore(factory: EventStoreFactory, telemetry: Telemetry): EventStoreFactory {
  if (!telemetry.enabled) return factory;
  const adapter = factory.capabilities.adapter;
  const call = <T>(operation: string, run: () => Promise<T>) =>
    telemetry.backendCall('event_store', adapter, operation, run);
  return {
    get capabilities() {
      return factory.capabilities;
    },
    forSession(sessionId: string): SessionEventStore {
      const events = factory.forSession(sessionId);
      return {
        sessionId: events.sessionId,
        storeEvent: (streamId, message) => call('append', () => events.storeEvent(streamId, message)),
        tailEventId: (streamId) => call('tail', () => events.tailEventId(streamId)),
        getStreamIdForEventId: (eventId) => call('stream_of', () => events.getStreamIdForEventId(eventId)),
        replayEventsAfter: (lastEventId, options) =>
          call('replay', () => events.replayEventsAfter(lastEventId, options)),
        // Until the stored events were sent: what follows is fed by the bus, not a call.
        follow: (lastEventId, options) => call('follow', () => events.follow(lastEventId, options)),
      };
    },
    purgeSession: (sessionId) => call('purge', () => factory.purgeSession(sessionId)),
    close: () => factory.close(),
  };
}

/** `bus` with each publish traced, or `bus` itself when telemetry is off. */
export function instrumentBus(bus: MessageBus, telemetry: Telemetry): MessageBus {
  if (!telemetry.enabled) return bus;
  const adapter = bus.capabilities.adapter;
  return {
    get capabilities() {
      return bus.capabilities;
    },
    publish: (channel, payload) =>
      telemetry.backendCall('bus', adapter, 'publish', () => bus.publish(channel, payload)),
    subscribe: (channel, handler) => bus.subscribe(channel, handler),
    close: () => bus.close(),
  };
}

/** `claims` with each claim traced, or `claims` itself when telemetry is off. */
export function instrumentClaimStore(claims: ClaimStore, telemetry: Telemetry): ClaimStore {
  if (!telemetry.enabled) return claims;
  const adapter = claims.capabilities.adapter;
  return {
    get capabilities() {
      return claims.capabilities;
    },
    claim: (key, ttlMs) =>
      telemetry.backendCall('claim_store', adapter, 'claim', () => claims.claim(key, ttlMs)),
    close: () => claims.close(),
  };
}
