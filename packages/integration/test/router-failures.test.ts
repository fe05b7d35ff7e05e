// The router under partial failure: what must come back by itself, and what must never stay broken.
import type {
  EventStoreFactory,
  MessageBus,
  SessionEventStore,
  StoredMessage,
} from '@mcp-session-store/core';
import { SessionStoreError } from '@mcp-session-store/core';
import { type Pod, startInProcessCluster } from '../src/in-process-cluster.js';
import { SDK_MAJORS } from '../src/sdk-major.js';
import { connectTestClient } from '../src/test-client.js';

const down = () => new SessionStoreError('BACKEND_UNAVAILABLE', 'down (test)');

const INIT = {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
  }),
};

type EventWrite = (
  inner: SessionEventStore,
  streamId: string,
  message: StoredMessage,
  pod: string,
) => Promise<string>;

/** Wraps each pod's event store so that `write` performs its appends (to count them or fail them). */
function withEventWrites(write: EventWrite) {
  return (events: EventStoreFactory, pod: string): EventStoreFactory => ({
    capabilities: events.capabilities,
    purgeSession: (id) => events.purgeSession(id),
    close: () => events.close(),
    forSession: (id): SessionEventStore => {
      const inner = events.forSession(id);
      return {
        ...inner,
        sessionId: inner.sessionId,
        storeEvent: (streamId, message) => write(inner, streamId, message, pod),
        getStreamIdForEventId: (eventId) => inner.getStreamIdForEventId(eventId),
        replayEventsAfter: (eventId, options) => inner.replayEventsAfter(eventId, options),
        follow: (eventId, options) => inner.follow(eventId, options),
      };
    },
  });
}

/**
 * An event store that is down while `state.down` is true: its writes fail, and so does the read a
 * new GET stream starts from (`tailEventId`).
 */
const flakyEvents = (state: { down: boolean }) => {
  const writes = withEventWrites((inner, streamId, message) =>
    state.down ? Promise.reject(down()) : inner.storeEvent(streamId, message),
  );
  return (events: EventStoreFactory, pod: string): EventStoreFactory => {
    const wrapped = writes(events, pod);
    return {
      ...wrapped,
      forSession: (id) => {
        const inner = wrapped.forSession(id);
        return {
          ...inner,
          tailEventId: (streamId) => (state.down ? Promise.reject(down()) : inner.tailEventId(streamId)),
        };
      },
    };
  };
};

describe.each(SDK_MAJORS)('SDK %i', (sdk) => {
  test('a bus that is down at start-up is retried: 503 while down, service once it is back', async () => {
    let busDown = true;
    const cluster = await startInProcessCluster({
      sdk,
      pods: 1,
      wrapBus: (bus): MessageBus => ({
        capabilities: bus.capabilities,
        publish: (channel, payload) => bus.publish(channel, payload),
        close: () => bus.close(),
        subscribe: (channel, handler) => (busDown ? Promise.reject(down()) : bus.subscribe(channel, handler)),
      }),
    });
    try {
      const url = `${cluster.pods[0]!.url}/mcp`;
      expect((await fetch(url, INIT)).status).toBe(503);
      busDown = false;
      const res = await fetch(url, INIT);
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      await cluster.stop();
    }
  });

  test('an event-store outage is a 503 (not a 400), and leaves no stream or session behind', async () => {
    const state = { down: false };
    const cluster = await startInProcessCluster({ sdk, pods: 1, wrapEvents: flakyEvents(state) });
    try {
      const url = `${cluster.pods[0]!.url}/mcp`;
      state.down = true;
      const init = await fetch(url, INIT);
      expect(init.status).toBe(503);
      expect(cluster.backend.state('mcp').sessions.size).toBe(0);

      state.down = false;
      const ok = await fetch(url, INIT);
      expect(ok.status).toBe(200);
      await ok.text();
      const sessionId = ok.headers.get('mcp-session-id')!;
      const get = () =>
        fetch(url, {
          headers: {
            accept: 'text/event-stream',
            'mcp-session-id': sessionId,
            'mcp-protocol-version': '2025-11-25',
          },
        });
      state.down = true;
      expect((await get()).status).toBe(503);
      state.down = false;
      // The failed GET left no stream registered: a new one opens (not 409).
      const stream = await get();
      expect(stream.status).toBe(200);
      await stream.body?.cancel();
    } finally {
      await cluster.stop();
    }
  });

  test('after close(), every request gets 503 and nothing is rehydrated', async () => {
    const cluster = await startInProcessCluster({ sdk, pods: 2 });
    try {
      const client = await connectTestClient(sdk, `${cluster.pods[1]!.url}/mcp`);
      const closed = cluster.pods[0]!;
      await closed.router.close();
      const res = await fetch(`${closed.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': client.sessionId,
          'mcp-protocol-version': '2025-11-25',
          'x-user': 'alice',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      expect(closed.router.localSessionCount).toBe(0);
      await client.close();
    } finally {
      await cluster.stop();
    }
  });

  test('a client-supplied wire id naming no valid process is never used as a bus channel', async () => {
    const channels: string[] = [];
    const cluster = await startInProcessCluster({
      sdk,
      pods: 1,
      wrapBus: (bus): MessageBus => ({
        capabilities: bus.capabilities,
        subscribe: (channel, handler) => bus.subscribe(channel, handler),
        close: () => bus.close(),
        publish: (channel, payload) => {
          channels.push(channel);
          return bus.publish(channel, payload);
        },
      }),
    });
    try {
      const url = `${cluster.pods[0]!.url}/mcp`;
      const init = await fetch(url, { ...INIT, headers: { ...INIT.headers, 'x-user': 'alice' } });
      await init.text();
      const sessionId = init.headers.get('mcp-session-id')!;
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
          'x-user': 'alice',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 'mcpss.evil channel*{x}.1', result: {} }),
      });
      expect(res.status).toBe(202);
      expect(channels.filter((c) => c.includes('evil'))).toEqual([]);
    } finally {
      await cluster.stop();
    }
  });

  test('an event-store write failing once the answer stream is open: the answer still arrives, nothing hangs', async () => {
    // The priming event (the stream's first write) works; every later write fails.
    const state = { failAfterPriming: false };
    const cluster = await startInProcessCluster({
      sdk,
      pods: 1,
      wrapEvents: withEventWrites((inner, streamId, message) =>
        state.failAfterPriming && Object.keys(message).length > 0
          ? Promise.reject(down())
          : inner.storeEvent(streamId, message),
      ),
    });
    try {
      state.failAfterPriming = true;
      const url = `${cluster.pods[0]!.url}/mcp`;
      // Without the fallback, the SDK would wait forever for a write that failed: the body never ends.
      const init = await fetch(url, { ...INIT, signal: AbortSignal.timeout(10_000) });
      expect(init.status).toBe(200);
      const body = await init.text();
      // Written live, without an event id (the client cannot resume from it, but it has it).
      expect(body).toMatch(/^data: \{"result":\{"protocolVersion"/m);
      const events = body.split('\n\n').filter((event) => event.includes('"result"'));
      expect(events).toHaveLength(1);
      expect(events[0]).not.toMatch(/^id:/m);
    } finally {
      await cluster.stop();
    }
  });

  test('bringing a session back on another process writes nothing to the event store', async () => {
    const writes = new Map<string, number>();
    const cluster = await startInProcessCluster({
      sdk,
      pods: 2,
      wrapEvents: withEventWrites((inner, streamId, message, pod) => {
        writes.set(pod, (writes.get(pod) ?? 0) + 1);
        return inner.storeEvent(streamId, message);
      }),
    });
    try {
      const [first, second] = cluster.pods as [Pod, Pod];
      const init = await fetch(`${first.url}/mcp`, INIT);
      await init.text();
      const sessionId = init.headers.get('mcp-session-id')!;
      expect(writes.get(first.name)).toBeGreaterThan(0); // the control: this store does see writes
      const headers = { ...INIT.headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
      // A notification (answered 202, no stream) makes the second process rehydrate the session.
      const ack = await fetch(`${second.url}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      expect(ack.status).toBe(202);
      expect(second.router.localSessionCount).toBe(1);
      expect(writes.get(second.name) ?? 0).toBe(0);
      // The rehydrated session serves requests (and those are stored, as usual).
      const list = await fetch(`${second.url}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(await list.text()).toMatch(/"tools"/);
      expect(writes.get(second.name)).toBeGreaterThan(0);
    } finally {
      await cluster.stop();
    }
  });

  test('a GET-stream message that cannot be stored fails its sender, and nothing hangs', async () => {
    const state = { failGetStream: false };
    const cluster = await startInProcessCluster({
      sdk,
      pods: 1,
      wrapEvents: withEventWrites((inner, streamId, message) =>
        state.failGetStream && streamId === '_GET_stream'
          ? Promise.reject(down())
          : inner.storeEvent(streamId, message),
      ),
    });
    try {
      const url = `${cluster.pods[0]!.url}/mcp`;
      const init = await fetch(url, { ...INIT, headers: { ...INIT.headers, 'x-user': 'alice' } });
      await init.text();
      const headers = {
        ...INIT.headers,
        'mcp-session-id': init.headers.get('mcp-session-id')!,
        'mcp-protocol-version': '2025-11-25',
        'x-user': 'alice',
      };
      const announce = (id: number) =>
        fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'announce', arguments: {} },
          }),
          signal: AbortSignal.timeout(10_000),
        }).then((res) => res.text());
      // The control: with the store working, the notification is stored and the tool succeeds.
      expect(await announce(2)).not.toMatch(/"isError":true/);
      state.failGetStream = true;
      // The event store is the only way to the GET stream: the server's send fails, and the tool
      // reports it instead of claiming a delivery that did not happen.
      const failed = await announce(3);
      expect(failed).toMatch(/"isError":true/);
      expect(failed).toMatch(/down \(test\)/);
    } finally {
      await cluster.stop();
    }
  });
});
